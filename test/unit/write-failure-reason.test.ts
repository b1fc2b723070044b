import { writeFailureReason } from '../../functions/measurements/storage/write-failure-reason';

/** A Node.js system error as `net` raises it: a plain Error with a code. */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno: -111, syscall: 'connect' });
}

describe('a failed entry’s reason names the cause; write_failed only when nothing better is known', () => {
  it.each<[string, unknown, string]>([
    [
      'DynamoDB throttling: the AWS error name',
      Object.assign(new Error('Rate exceeded'), {
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
      'ProvisionedThroughputExceededException',
    ],
    [
      'a table that is gone',
      Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }),
      'ResourceNotFoundException',
    ],
    [
      'a denied call',
      Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
      'AccessDeniedException',
    ],
    [
      'a request timeout of the HTTP handler: its name, not its code',
      Object.assign(new Error('exceeded the configured requestTimeout'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      }),
      'TimeoutError',
    ],
    [
      'a refused connection (a plain Error): its code',
      Object.assign(systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8000'), { $metadata: {} }),
      'ECONNREFUSED',
    ],
    ['a reset connection', systemError('ECONNRESET', 'read ECONNRESET'), 'ECONNRESET'],
    ['an unknown host', systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND dynamodb.example'), 'ENOTFOUND'],
    [
      'a system error from another realm, re-wrapped by the SDK with only its text',
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:40417'),
      'ECONNREFUSED',
    ],
    ['a plain Error that names nothing', new Error('something broke'), 'write_failed'],
    [
      'a name of 64 characters is kept, a longer one is not a reason',
      Object.assign(new Error('x'), { name: `${'N'.repeat(63)}x` }),
      `${'N'.repeat(63)}x`,
    ],
    ['a name over 64 characters', Object.assign(new Error('x'), { name: 'N'.repeat(65) }), 'write_failed'],
    ['a code over 64 characters', systemError(`E${'X'.repeat(64)}`, 'read'), 'write_failed'],
    ['an Error whose code is no system code', Object.assign(new Error('x'), { code: 42 }), 'write_failed'],
    ['not an Error at all', 'a string', 'write_failed'],
    ['nothing', undefined, 'write_failed'],
  ])('%s → %s', (_name, error, reason) => {
    expect(writeFailureReason(error)).toBe(reason);
  });

  it('a write the deadline aborted is deadline_exceeded, whatever the error says', () => {
    const controller = new AbortController();
    controller.abort();
    expect(writeFailureReason(systemError('ECONNRESET', 'read ECONNRESET'), controller.signal)).toBe(
      'deadline_exceeded',
    );
  });
});
