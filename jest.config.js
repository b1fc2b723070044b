/**
 * Three kinds of test, one command (`npm test`):
 * - unit: pure logic, no I/O, milliseconds;
 * - integration: the real repository and handlers on DynamoDB Local (one engine per run);
 * - infra: the synthesized CloudFormation template.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/start-dynamodb-local.ts',
      globalTeardown: '<rootDir>/test/support/stop-dynamodb-local.ts',
      setupFiles: ['<rootDir>/test/support/integration-env.ts'],
    },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
  ],
  testTimeout: 30000,
};
