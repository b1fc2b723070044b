import { serviceFunctions } from '../../definitions/service-functions';
import { loadSettings } from '../commons/config';
import { createDynamoDbClient, documentClientOver } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { TableMeasurementWriter } from '../measurements/storage/table-measurement-writer';
import { createRequestGuards } from '../request-guards/request-guards';
import { createIngestBatchHandler } from './create-ingest-batch-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadSettings(serviceFunctions.ingestBatch);
const logger = createLogger();
// One client for the writes and the request guards: a cold start sets up one client and opens
// one connection to DynamoDB before its first answer, not two.
const dynamodb = createDynamoDbClient(config);

export const handler = createIngestBatchHandler({
  logger,
  writer: new TableMeasurementWriter(documentClientOver(dynamodb), config.TABLE_NAME),
  writeConcurrency: config.WRITE_CONCURRENCY,
  deadlineSafetyMarginMs: config.DEADLINE_SAFETY_MARGIN_MS,
  defaultTimeZone: config.DEFAULT_TIME_ZONE,
  guards: createRequestGuards({
    client: dynamodb,
    tableName: config.REQUEST_GUARDS_TABLE_NAME,
  }),
});
