import { loadGuardedConfig } from '../commons/config';
import { createDocumentClient, createDynamoDbClient } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { MeasurementRepository } from '../measurements/storage/measurement-repository';
import { createRowWriteGuards } from '../request-guards/request-guards';
import { createMeasurementsApiHandler } from './create-measurements-api-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadGuardedConfig();
const logger = createLogger();

export const handler = createMeasurementsApiHandler({
  logger,
  store: new MeasurementRepository(createDocumentClient(config), config.TABLE_NAME),
  deleteConcurrency: config.WRITE_CONCURRENCY,
  guards: createRowWriteGuards({
    client: createDynamoDbClient(config),
    tableName: config.REQUEST_GUARDS_TABLE_NAME,
    logger,
  }),
});
