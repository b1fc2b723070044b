import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MeasurementWriter, WriteOutcome, WriteRequest } from '../batch/measurement-writer';
import { conditionFailure } from './condition-failures';
import { expressionInput } from './expressions';
import { toMeasurementItem } from './measurement-item';
import { keyIsFree } from './measurement-key';
import { writeFailureReason } from './write-failure-reason';

/**
 * The batch's writes to the measurements table (the `MeasurementWriter` port). Writes never read
 * first: `stats:` rows are an unconditional PutItem whose ALL_OLD tells inserted from updated;
 * samples are a PutItem conditioned on the key not existing, whose ALL_OLD-on-failure names the
 * existing row. A soft-deleted `stats:` row comes back on re-post (the put replaces the whole
 * item, `deletedAt` included); a soft-deleted sample stays deleted (the condition still fails).
 */
export class TableMeasurementWriter implements MeasurementWriter {
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
          ...expressionInput({ ConditionExpression: keyIsFree }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal },
      );
      return { status: 'inserted' };
    } catch (error) {
      const failure = conditionFailure(error);
      if (!failure) throw error;
      const existingId = failure.item?.id;
      return {
        status: 'duplicate',
        id: typeof existingId === 'string' ? existingId : request.measurement.id,
      };
    }
  }
}
