// A reason is a name or a code of at most 64 characters, never a message, so a failed entry's
// outcome stays as small as any other (docs/batch-api.md, "The answer").
const errorName = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const systemErrorCode = /^E[A-Z0-9_]{1,63}$/;
const systemErrorInMessage = /\b[a-z]+ (E[A-Z0-9_]{2,63})\b/;

/**
 * What a failed write's `reason` says, so that an operator reading the answer or the logs knows
 * the cause: `deadline_exceeded` when the function's deadline aborted it; the error's own name
 * when it has one — DynamoDB's (`ProvisionedThroughputExceededException`,
 * `ResourceNotFoundException`, `AccessDeniedException`) or the HTTP handler's (`TimeoutError`);
 * for a network fault, which Node.js raises as a plain `Error`, its system code (`ECONNREFUSED`,
 * `ECONNRESET`, `ENOTFOUND`, `EPIPE`); `write_failed` only when nothing better is known.
 */
export function writeFailureReason(error: unknown, abortSignal?: AbortSignal): string {
  if (abortSignal?.aborted) return 'deadline_exceeded';
  // Read as plain properties: an error raised by Node.js's own modules may come from another
  // realm (a test runner's sandbox), where `instanceof Error` is false.
  if (typeof error !== 'object' || error === null) return 'write_failed';
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name === 'string' && name !== 'Error' && errorName.test(name)) return name;
  if (typeof code === 'string' && systemErrorCode.test(code)) return code;
  // The SDK's retry layer re-wraps an error from another realm keeping only its text, which for
  // a system error names the code (`connect ECONNREFUSED 127.0.0.1:8000`).
  const named = typeof message === 'string' ? systemErrorInMessage.exec(message) : null;
  return named ? named[1]! : 'write_failed';
}
