import { DynamoDbPortInUseError, ownsListeningPort, startDynamoDbLocal } from '../../local/dynamodb-local';

/**
 * `startDynamoDbLocal` only ever hands over an engine it started itself: when another engine
 * already listens on the port, the other one would answer while the new one fails to bind.
 */
describe('an engine on a port another engine holds', () => {
  it('is refused with DynamoDbPortInUseError instead of handing over the other engine; the other keeps serving', async () => {
    const other = await startDynamoDbLocal();
    try {
      expect(ownsListeningPort(other.process.pid!, other.port)).toBe(true);
      await expect(startDynamoDbLocal({ port: other.port })).rejects.toThrow(DynamoDbPortInUseError);
      await expect(startDynamoDbLocal({ port: other.port })).rejects.toThrow(
        `Port ${other.port} is in use (another DynamoDB Local?): stop what listens there or set DYNAMODB_PORT.`,
      );
      expect(other.process.exitCode).toBeNull();
      expect(ownsListeningPort(other.process.pid!, other.port)).toBe(true);
    } finally {
      await other.stop();
    }
  }, 60000);
});
