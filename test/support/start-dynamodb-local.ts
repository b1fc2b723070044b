import { startDynamoDbLocal } from '../../local/dynamodb-local';

/** One DynamoDB Local engine for the whole integration run; each test file makes its own tables. */
export default async function startDynamoDbLocalForTests(): Promise<void> {
  const engine = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = engine.endpoint;
  (globalThis as { __DYNAMODB_LOCAL__?: typeof engine }).__DYNAMODB_LOCAL__ = engine;
  // Should Jest die without running the teardown, do not leave a Java process behind.
  process.once('exit', () => engine.process.kill('SIGKILL'));
}
