import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { readItemChange, UnreadableChangeError } from '../../functions/commons/item-change';
import { createAuditStreamHandler } from '../../functions/audit-stream/create-audit-stream-handler';
import { deriveUserRef, newAuditKey } from '../../functions/audit/user-ref';
import { UserRefs } from '../../functions/audit/user-refs';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import {
  USER,
  lambdaRecord,
  lifecycleItem,
  repostOf,
  sampleItem,
  softDeletedOf,
  statsItem,
} from './audit-fixtures';

let logs: CapturedLogs;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

/** The audit-keys table in memory: one key per user, created on first use; `fail` makes every call throw. */
const keys = {
  stored: new Map<string, string>(),
  fail: undefined as Error | undefined,
  async getOrCreateKey(userId: string): Promise<string> {
    if (keys.fail) throw keys.fail;
    let key = keys.stored.get(userId);
    if (key === undefined) keys.stored.set(userId, (key = newAuditKey()));
    return key;
  },
};
beforeEach(() => {
  keys.stored.clear();
  keys.fail = undefined;
});

const handlerAt = (logLevel: 'DEBUG' | 'INFO') =>
  createAuditStreamHandler({
    logger: new Logger({ serviceName: 'measurement-audit', logLevel }),
    userRefs: new UserRefs(keys),
  });
// A fresh function instance per test: its key cache starts empty.
let handler: ReturnType<typeof handlerAt>;
beforeEach(() => (handler = handlerAt('DEBUG')));
const userRefOf = (userId: string) => deriveUserRef(userId, keys.stored.get(userId)!);

describe('readItemChange: the Lambda record, read', () => {
  it('unmarshals both images and turns epoch seconds into ISO time', () => {
    const record = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    const change = readItemChange(record);
    expect(change).toEqual({
      eventName: 'MODIFY',
      eventId: record.eventID,
      sequenceNumber: record.dynamodb!.SequenceNumber,
      approximateCreationTime: '2026-05-24T20:00:01.000Z',
      oldImage: statsItem(),
      newImage: repostOf(statsItem(), 5300),
    });
  });

  it.each<[string, (record: DynamoDBRecord) => DynamoDBRecord]>([
    ['no eventName', (r) => ({ ...r, eventName: undefined })],
    ['an unknown eventName', (r) => ({ ...r, eventName: 'UPSERT' as 'MODIFY' })],
    ['no eventID', (r) => ({ ...r, eventID: undefined })],
    ['no sequence number', (r) => ({ ...r, dynamodb: { ...r.dynamodb, SequenceNumber: undefined } })],
    [
      'no creation time',
      (r) => ({ ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: undefined } }),
    ],
    [
      'an image that is not DynamoDB JSON',
      (r) => ({ ...r, dynamodb: { ...r.dynamodb, NewImage: { value: 5 as any } } }),
    ],
  ])('throws on a record with %s', (_name, damage) => {
    const record = damage(lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300)));
    expect(() => readItemChange(record)).toThrow(UnreadableChangeError);
  });
});

describe('the audit handler: one JSON line per audited change, partial batch responses', () => {
  it('logs the overwrite at INFO with every field top-level, and answers no failures', async () => {
    const record = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    await expect(handler({ Records: [record] })).resolves.toEqual({ batchItemFailures: [] });
    const [event, ...others] = logs.events('measurement.batch.stats-overwrite');
    expect(others).toHaveLength(0);
    expect(event).toMatchObject({
      level: 'INFO',
      service: 'measurement-audit',
      userRef: userRefOf(USER),
      previousValue: 300,
      value: 5300,
      delta: 5000,
      direction: 'increase',
      requestId: 'req-evening',
      resurrected: false,
      eventId: record.eventID,
      sequenceNumber: record.dynamodb!.SequenceNumber,
      approximateCreationTime: '2026-05-24T20:00:01.000Z',
    });
  });

  it('logs an unchanged re-post at DEBUG only, and nothing for an INSERT', async () => {
    const stored = repostOf(statsItem(), 5300);
    await handler({
      Records: [
        lambdaRecord('MODIFY', stored, { ...stored }),
        lambdaRecord('INSERT', undefined, sampleItem()),
      ],
    });
    expect(logs.lines.map((line) => [line.level, line.message])).toEqual([
      ['DEBUG', 'measurement.batch.stats-repost-unchanged'],
    ]);
  });

  it('reports an unreadable record by its sequence number and still logs the others, in stream order', async () => {
    const overwrite = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    const malformed = lambdaRecord('MODIFY', undefined, repostOf(statsItem(), 6000));
    const deletion = lambdaRecord(
      'MODIFY',
      statsItem({ value: 5300 }),
      softDeletedOf(statsItem({ value: 5300 })),
    );
    const response = await handler({ Records: [overwrite, malformed, deletion] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: malformed.dynamodb!.SequenceNumber }] });
    expect(logs.lines.map((line) => line.message)).toEqual([
      'measurement.batch.stats-overwrite',
      'measurement.audit.record-failed',
      'measurement.deleted',
    ]);
    expect(logs.events('measurement.audit.record-failed')[0]).toMatchObject({
      level: 'ERROR',
      eventId: malformed.eventID,
      sequenceNumber: malformed.dynamodb!.SequenceNumber,
      eventName: 'MODIFY',
      reason: 'OldImage is missing',
    });
  });

  it('a batch in which every record fails throws, so Lambda bisects and retries it', async () => {
    await expect(handler({ Records: [lambdaRecord('MODIFY', undefined, statsItem())] })).rejects.toThrow(
      /All records failed/,
    );
  });

  it('names the user by userRef, first among the event’s fields, and never by the user id', async () => {
    const record = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    await handler({ Records: [record, lambdaRecord('MODIFY', statsItem(), softDeletedOf(statsItem()))] });
    expect(keys.stored.has(USER)).toBe(true);
    for (const line of logs.lines) {
      expect(line).not.toHaveProperty('userId');
      expect(line.userRef).toBe(userRefOf(USER));
      const fields = Object.keys(line).filter(
        (key) => !['level', 'message', 'service', 'timestamp', 'sampling_rate'].includes(key),
      );
      expect(fields[0]).toBe('userRef');
    }
    expect(JSON.stringify(logs.lines)).not.toContain(USER);
  });

  it('a DEBUG line that would not be printed creates no key', async () => {
    const stored = repostOf(statsItem(), 5300);
    await handlerAt('INFO')({ Records: [lambdaRecord('MODIFY', stored, { ...stored })] });
    expect(logs.lines).toEqual([]);
    expect(keys.stored.size).toBe(0);
  });

  it('a record whose user’s key cannot be read or created fails alone, named by the error, never by the user', async () => {
    keys.fail = Object.assign(new Error(`Requested resource not found: ${USER}`), {
      name: 'ResourceNotFoundException',
    });
    const lifecycle = lambdaRecord('INSERT', undefined, lifecycleItem());
    const overwrite = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    const response = await handler({ Records: [overwrite, lifecycle] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: overwrite.dynamodb!.SequenceNumber }] });
    expect(logs.lines.map((line) => line.message)).toEqual([
      'measurement.audit.record-failed',
      'user.imported',
    ]);
    expect(logs.lines[0]).toMatchObject({
      level: 'ERROR',
      reason: "the user's audit key could not be read or created: ResourceNotFoundException",
    });
    expect(JSON.stringify(logs.lines)).not.toContain(USER);
  });

  it('user.erased makes the function forget the user’s key: the next event names the new userRef', async () => {
    const before = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    await handler({ Records: [before] });
    const erasedRef = userRefOf(USER);
    // What erase-user does: announces the erasure under the old userRef, deletes the key.
    keys.stored.delete(USER);
    const erased = lambdaRecord(
      'INSERT',
      undefined,
      lifecycleItem({ event: 'user.erased', userRef: erasedRef, counts: { rows: 1, auditKeys: 1 } }),
    );
    const after = lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 10));
    await handler({ Records: [erased, after] });
    const [first, erasure, second] = logs.lines;
    expect(erasure).toMatchObject({ message: 'user.erased', userRef: erasedRef, rows: 1, auditKeys: 1 });
    expect(first!.userRef).toBe(erasedRef);
    expect(second!.userRef).toBe(userRefOf(USER));
    expect(second!.userRef).not.toBe(erasedRef);
  });

  it('never logs the images themselves', async () => {
    const secretNote = { ...repostOf(statsItem(), 5300), note: 'private free text' };
    await handler({ Records: [lambdaRecord('MODIFY', statsItem(), secretNote)] });
    expect(JSON.stringify(logs.lines)).not.toContain('private free text');
  });
});
