import { createLogger } from '../commons/logger';
import { createAuditStreamHandler } from './create-audit-stream-handler';

/** Lambda entry: wiring only, done once per cold start. The audit function never touches the table. */
export const handler = createAuditStreamHandler({
  logger: createLogger(),
});
