import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** A transaction cancelled only by conflicts is retried this often, with jittered exponential backoff. */
const TRANSACTION_ATTEMPTS = 6;
const TRANSACTION_BACKOFF_MS = 10;

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * One TransactWriteItems: `committed`, or the cancellation reason of each item in order
 * (`None` for those that were fine). Two requests writing the same marker at the same moment
 * cancel each other with `TransactionConflict` (the SDK does not retry a cancellation): the
 * transaction is retried briefly, until one has committed and the other sees its marker.
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  transactItems: TransactItems,
): Promise<'committed' | string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: transactItems }));
      return 'committed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const conflictOnly =
        reasons.includes('TransactionConflict') &&
        reasons.every((code) => code === 'TransactionConflict' || code === 'None');
      if (!conflictOnly || attempt >= TRANSACTION_ATTEMPTS) return reasons;
      await sleep(Math.random() * TRANSACTION_BACKOFF_MS * 2 ** attempt);
    }
  }
}
