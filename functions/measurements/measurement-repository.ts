import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { measurementsTable } from '../../lib/definitions/measurements-table';
import type { Measurement, MeasurementWriter, WriteOutcome, WriteRequest } from './measurement';
import { measurementKey } from './measurement-key';

const { partitionKey, indexAttributes } = measurementsTable;

/** Who wrote an item's current version; the audit function classifies stream records by it. */
export type Writer = 'batch' | 'edit' | 'delete';

/** A stored measurement item, as it sits in the table. */
export interface MeasurementItem extends Measurement {
  readonly pk: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The API request that wrote this version of the item. */
  readonly requestId: string;
  readonly writer: Writer;
  readonly deletedAt?: string;
}

export function toMeasurementItem({
  userId,
  requestId,
  writtenAt,
  measurement,
}: WriteRequest): Record<string, unknown> {
  const item: MeasurementItem = {
    pk: measurementKey(userId, measurement.type, measurement.externalId),
    userId,
    ...measurement,
    createdAt: writtenAt,
    updatedAt: writtenAt,
    requestId,
    writer: 'batch',
  };
  return {
    ...item,
    // Index keys of a live row; a soft delete removes them, which drops the row from every list.
    [indexAttributes.user]: userId,
    [indexAttributes.userType]: `${userId}#${measurement.type}`,
    [indexAttributes.userExternalId]: `${userId}#${measurement.externalId}`,
  };
}

/** The AWS error name of a failed call (`ProvisionedThroughputExceededException`), else `write_failed`. */
export function writeFailureReason(error: unknown, abortSignal?: AbortSignal): string {
  if (abortSignal?.aborted) return 'deadline_exceeded';
  if (error instanceof Error && '$metadata' in error && error.name) return error.name;
  if (error instanceof Error && error.name === 'TimeoutError') return error.name;
  return 'write_failed';
}

/**
 * The only code that builds DynamoDB commands for measurements. Writes never read first:
 * `stats:` rows are an unconditional PutItem whose ALL_OLD tells inserted from updated; samples
 * are a PutItem conditioned on the key not existing, whose ALL_OLD-on-failure names the
 * existing row. A soft-deleted `stats:` row comes back on re-post (the put replaces the whole
 * item, `deletedAt` included); a soft-deleted sample stays deleted (the condition still fails).
 */
export class MeasurementRepository implements MeasurementWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async writeMeasurement(
    request: WriteRequest,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<WriteOutcome> {
    try {
      return request.measurement.kind === 'stats'
        ? await this.putStats(request, options.abortSignal)
        : await this.putSample(request, options.abortSignal);
    } catch (error) {
      return { status: 'failed', reason: writeFailureReason(error, options.abortSignal) };
    }
  }

  private async putStats(request: WriteRequest, abortSignal?: AbortSignal): Promise<WriteOutcome> {
    const { Attributes } = await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: toMeasurementItem(request),
        ReturnValues: 'ALL_OLD',
      }),
      { abortSignal },
    );
    return Attributes ? { status: 'updated' } : { status: 'inserted' };
  }

  private async putSample(request: WriteRequest, abortSignal?: AbortSignal): Promise<WriteOutcome> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toMeasurementItem(request),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal },
      );
      return { status: 'inserted' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client leaves `Item` marshalled on this exception.
      const existing = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      return {
        status: 'duplicate',
        id: typeof existing?.id === 'string' ? existing.id : request.measurement.id,
      };
    }
  }
}
