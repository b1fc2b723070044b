/**
 * The shipped-artifact test (`npm run test:artifacts`, run by CI after `npm test`): synthesizes
 * the app with real bundling and runs every function's bundle under Node.js 24 and the machine's
 * Node.js against DynamoDB Local (test/artifacts/).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'artifacts',
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/artifacts/**/*.test.ts'],
  testTimeout: 60000,
};
