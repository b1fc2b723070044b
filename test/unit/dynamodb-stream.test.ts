import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { auditStreamSource } from '../../definitions/audit-stream';
import {
  compareSequenceNumbers,
  recordsToRetry,
  toLambdaStreamRecord,
  toStreamEvents,
} from '../../local/dynamodb-stream';
import { lambdaRecord, repostOf, statsItem } from './audit-fixtures';

const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/measurements/stream/2026-11-24T16:03:24.716';

describe('toLambdaStreamRecord: a Streams API record in the shape Lambda delivers', () => {
  const sdkRecord: _Record = {
    eventID: 'fdf3c6d6-c56e-423c-8749-c593551e06a9',
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-11-24T16:03:24.000Z'),
      Keys: { pk: { S: 'u#ACTIVITY_STEPS#stats:x' } },
      NewImage: {
        pk: { S: 'u#ACTIVITY_STEPS#stats:x' },
        value: { N: '5300' },
        valueMin: { NULL: true },
        flags: { L: [{ BOOL: true }, { M: { blob: { B: new Uint8Array([1, 2, 3]) } } }] },
        tags: { SS: ['a', 'b'] },
        blobs: { BS: [new Uint8Array([255])] },
        numbers: { NS: ['1', '2.5'] },
      },
      OldImage: { pk: { S: 'u#ACTIVITY_STEPS#stats:x' }, value: { N: '300' } },
      SequenceNumber: '000000000000000000002',
      SizeBytes: 29,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };

  it('has the envelope Lambda adds and epoch seconds for the creation time', () => {
    const record = toLambdaStreamRecord(sdkRecord, STREAM_ARN);
    expect(record).toStrictEqual({
      eventID: 'fdf3c6d6-c56e-423c-8749-c593551e06a9',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-11-24T16:03:24Z') / 1000,
        Keys: { pk: { S: 'u#ACTIVITY_STEPS#stats:x' } },
        NewImage: {
          pk: { S: 'u#ACTIVITY_STEPS#stats:x' },
          value: { N: '5300' },
          valueMin: { NULL: true },
          flags: { L: [{ BOOL: true }, { M: { blob: { B: 'AQID' } } }] },
          tags: { SS: ['a', 'b'] },
          blobs: { BS: ['/w=='] },
          numbers: { NS: ['1', '2.5'] },
        },
        OldImage: { pk: { S: 'u#ACTIVITY_STEPS#stats:x' }, value: { N: '300' } },
        SequenceNumber: '000000000000000000002',
        SizeBytes: 29,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: STREAM_ARN,
    });
  });

  it('survives a JSON round trip unchanged (it is what a Lambda event carries)', () => {
    const record = toLambdaStreamRecord(sdkRecord, STREAM_ARN);
    expect(JSON.parse(JSON.stringify(record))).toStrictEqual(record);
  });

  it('takes the region from the stream ARN when the record has none', () => {
    const { awsRegion: _region, ...withoutRegion } = sdkRecord;
    expect(toLambdaStreamRecord(withoutRegion, STREAM_ARN).awsRegion).toBe('ddblocal');
  });

  it('keeps the userIdentity of a TTL deletion', () => {
    const ttl = { ...sdkRecord, userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } };
    expect(toLambdaStreamRecord(ttl, STREAM_ARN).userIdentity).toEqual({
      Type: 'Service',
      PrincipalId: 'dynamodb.amazonaws.com',
    });
  });
});

describe('delivery as the event source mapping does it', () => {
  it('sequence numbers compare as integers, not as text', () => {
    expect(compareSequenceNumbers('900', '1000')).toBe(-1);
    expect(compareSequenceNumbers('4421584500000000017450439092', '4421584500000000017450439091')).toBe(1);
    expect(compareSequenceNumbers('7', '7')).toBe(0);
  });

  it('toStreamEvents drops what the filters exclude and cuts batches of batchSize', () => {
    const overwrite = () => lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300));
    const insert = lambdaRecord('INSERT', undefined, statsItem());
    const records = [insert, overwrite(), overwrite(), overwrite()];
    const events = toStreamEvents(records, {
      filterPatterns: auditStreamSource.filterPatterns,
      batchSize: 2,
    });
    expect(events.map((event) => event.Records.length)).toEqual([2, 1]);
    expect(events.flatMap((event) => event.Records)).not.toContain(insert);
  });

  it('recordsToRetry: Lambda retries from the lowest failed sequence number, the later records included', () => {
    const records: DynamoDBRecord[] = [1, 2, 3, 4].map(() =>
      lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300)),
    );
    const event = { Records: records };
    const seq = (index: number) => records[index]!.dynamodb!.SequenceNumber!;
    expect(recordsToRetry(event, { batchItemFailures: [] })).toEqual([]);
    expect(recordsToRetry(event, undefined)).toEqual([]);
    expect(
      recordsToRetry(event, { batchItemFailures: [{ itemIdentifier: seq(3) }, { itemIdentifier: seq(1) }] }),
    ).toEqual(records.slice(1));
    expect(recordsToRetry(event, { batchItemFailures: [{ itemIdentifier: 'unknown' }] })).toEqual(records);
  });
});
