import { loadConfig } from '../commons/config';
import { createDocumentClient } from '../commons/dynamodb-client';
import { serviceFunctions } from '../../lib/definitions/service-functions';
import { createLogger } from '../commons/logger';
import { MeasurementRepository } from '../measurements/measurement-repository';
import { createIngestBatchHandler } from './create-ingest-batch-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadConfig();

export const handler = createIngestBatchHandler({
  logger: createLogger(serviceFunctions.ingestBatch.serviceName),
  writer: new MeasurementRepository(createDocumentClient(config), config.TABLE_NAME),
  writeConcurrency: config.WRITE_CONCURRENCY,
  deadlineSafetyMarginMs: config.DEADLINE_SAFETY_MARGIN_MS,
});
