import { loadConfig } from '../commons/config';
import { createDocumentClient } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { MeasurementRepository } from '../measurements/storage/measurement-repository';
import { createMeasurementsApiHandler } from './create-measurements-api-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadConfig();

export const handler = createMeasurementsApiHandler({
  logger: createLogger(),
  store: new MeasurementRepository(createDocumentClient(config), config.TABLE_NAME),
  deleteConcurrency: config.WRITE_CONCURRENCY,
  defaultTimeZone: config.DEFAULT_TIME_ZONE,
});
