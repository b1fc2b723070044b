import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StreamConsumerSource } from '../../definitions/stream-consumers';

/**
 * A table stream → function event source mapping built from its definition (the local runtime's
 * stream reader applies the same one). DynamoEventSource grants the function read access to the
 * stream and the on-failure queue its send.
 */
export function streamEventSource(table: ITable, source: StreamConsumerSource, onFailure: IQueue) {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition[source.startingPosition],
    batchSize: source.batchSize,
    maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds),
    bisectBatchOnError: source.bisectBatchOnError,
    reportBatchItemFailures: source.reportBatchItemFailures,
    retryAttempts: source.retryAttempts,
    maxRecordAge: Duration.seconds(source.maxRecordAgeSeconds),
    parallelizationFactor: source.parallelizationFactor,
    // FilterCriteria.filter turns a pattern into the JSON string Lambda expects; a raw object
    // would synthesize as `{}` and let every record through.
    filters: source.filterPatterns.map((pattern) => FilterCriteria.filter(pattern as any)),
    onFailure: new SqsDlq(onFailure),
  });
}
