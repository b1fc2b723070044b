import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { readItemChange, UnreadableChangeError } from '../../functions/commons/item-change';
import { createAuditStreamHandler } from '../../functions/audit-stream/create-audit-stream-handler';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { lambdaRecord, repostOf, sampleItem, softDeletedOf, statsItem } from './audit-fixtures';

let logs: CapturedLogs;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

const handler = createAuditStreamHandler({
  logger: new Logger({ serviceName: 'measurement-audit', logLevel: 'DEBUG' }),
});

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
      userId: 'user-7f3a',
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

  it('never logs the images themselves', async () => {
    const secretNote = { ...repostOf(statsItem(), 5300), note: 'private free text' };
    await handler({ Records: [lambdaRecord('MODIFY', statsItem(), secretNote)] });
    expect(JSON.stringify(logs.lines)).not.toContain('private free text');
  });
});
