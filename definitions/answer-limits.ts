/**
 * How much one request may read and answer, defined once: the functions stop their reads and
 * their answers at these numbers, the local runtime enforces Lambda's own limits with them, and
 * docs/read-api.md explains them.
 */

/**
 * Lambda's payload limits for a synchronous invocation ("6 MB" in its quotas). The request is the
 * event as JSON — for API Gateway the body travels inside it, escaped as a JSON string (base64 when
 * it is not text) — and Lambda refuses one of 6,291,456 bytes or more. The response is the
 * handler's result as JSON (a proxy result: status, headers and the body as an escaped JSON
 * string); Lambda refuses one over 6,291,556 bytes, and API Gateway then answers for a failed
 * function.
 */
export const lambdaPayloadLimits = {
  requestBytes: 6_291_456,
  responseBytes: 6_291_556,
} as const;

/**
 * Kept free below Lambda's response limit: a list or series answer is measured with the headers
 * the route sets, and an answer may gain a few more on its way out (the echoed `x-request-id`,
 * which API Gateway caps at 10 KB, caching and rate-limit headers).
 */
const ANSWER_HEADROOM_BYTES = 1024 * 1024;

/**
 * The size a list or series answer stops at (5 MiB of serialized proxy result): the rows that
 * would cross it wait for the next page, behind `nextCursor`, as the rows beyond `limit` do.
 */
export const ANSWER_BYTE_BUDGET = lambdaPayloadLimits.responseBytes - ANSWER_HEADROOM_BYTES;

/**
 * The index items one list request may read before it answers what it has with a cursor to the
 * rest: a filtered list (`sourceEq`, which DynamoDB evaluates after reading), and the sleep list,
 * whose nights need the segments before them. 10,000 items are about 6 MB of rows — six 1 MB
 * Query pages, under a second on DynamoDB — and about 250 nights of a watch's sleep stages.
 */
export const READ_ITEM_BUDGET = 10_000;
