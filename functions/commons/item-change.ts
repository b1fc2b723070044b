import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/**
 * One item change of the measurements table, read from a DynamoDB stream record as Lambda
 * delivers it: images unmarshalled into plain objects, the creation time as ISO 8601.
 */
export interface ItemChange {
  readonly eventName: StreamEventName;
  /** The stream record's id: the same on every redelivery, so queries can de-duplicate by it. */
  readonly eventId: string;
  readonly sequenceNumber: string;
  readonly approximateCreationTime: string;
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
}

/**
 * A stream record the audit function cannot turn into a decision. Its message names the
 * missing or malformed part, never an attribute's value (values are personal data).
 */
export class UnreadableChangeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableChangeError';
  }
}

const eventNames: ReadonlySet<string> = new Set<StreamEventName>(['INSERT', 'MODIFY', 'REMOVE']);

export function readItemChange(record: DynamoDBRecord): ItemChange {
  const { eventName, eventID, dynamodb } = record;
  if (!eventName || !eventNames.has(eventName)) {
    throw new UnreadableChangeError('eventName is not INSERT, MODIFY or REMOVE');
  }
  if (!eventID) throw new UnreadableChangeError('eventID is missing');
  if (!dynamodb?.SequenceNumber) throw new UnreadableChangeError('dynamodb.SequenceNumber is missing');
  // Lambda delivers epoch seconds (the Streams API's own clients turn them into dates).
  const seconds = dynamodb.ApproximateCreationDateTime;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw new UnreadableChangeError('dynamodb.ApproximateCreationDateTime is not epoch seconds');
  }
  return {
    eventName,
    eventId: eventID,
    sequenceNumber: dynamodb.SequenceNumber,
    approximateCreationTime: new Date(seconds * 1000).toISOString(),
    ...(dynamodb.OldImage ? { oldImage: readImage(dynamodb.OldImage, 'OldImage') } : {}),
    ...(dynamodb.NewImage ? { newImage: readImage(dynamodb.NewImage, 'NewImage') } : {}),
  };
}

function readImage(image: object, name: string): Record<string, unknown> {
  try {
    // Lambda's AttributeValue type differs from the SDK's only in binary values (base64 text),
    // which measurement items do not have.
    return unmarshall(image as Record<string, AttributeValue>);
  } catch (error) {
    throw new UnreadableChangeError(`${name} is not a DynamoDB item image`, { cause: error });
  }
}
