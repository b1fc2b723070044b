import { loadGuardedConfig } from '../commons/config';
import { createDocumentClient, createDynamoDbClient } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { MeasurementRepository } from '../measurements/storage/measurement-repository';
import { createRequestGuards } from '../request-guards/request-guards';
import { createIngestBatchHandler } from './create-ingest-batch-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadGuardedConfig();
const logger = createLogger();

export const handler = createIngestBatchHandler({
  logger,
  writer: new MeasurementRepository(createDocumentClient(config), config.TABLE_NAME),
  writeConcurrency: config.WRITE_CONCURRENCY,
  deadlineSafetyMarginMs: config.DEADLINE_SAFETY_MARGIN_MS,
  defaultTimeZone: config.DEFAULT_TIME_ZONE,
  guards: createRequestGuards({
    client: createDynamoDbClient(config),
    tableName: config.REQUEST_GUARDS_TABLE_NAME,
    logger,
  }),
});
