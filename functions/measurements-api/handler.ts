import { serviceFunctions } from '../../definitions/service-functions';
import { loadSettings } from '../commons/config';
import { createDynamoDbClient, documentClientOver } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { DailyAggregates } from '../measurements/storage/daily-aggregates';
import { TableRowStore } from '../measurements/storage/table-row-store';
import { createRowWriteGuards } from '../request-guards/request-guards';
import { createMeasurementsApiHandler } from './create-measurements-api-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadSettings(serviceFunctions.measurementsApi);
const logger = createLogger();
// One client for rows, aggregates and the write guards: one connection to set up at cold start.
const dynamodb = createDynamoDbClient(config);
const client = documentClientOver(dynamodb);

export const handler = createMeasurementsApiHandler({
  logger,
  store: new TableRowStore(client, config.TABLE_NAME),
  aggregates: new DailyAggregates(client, {
    measurements: config.TABLE_NAME,
    aggregates: config.DAILY_AGGREGATES_TABLE_NAME,
  }),
  deleteConcurrency: config.DELETE_CONCURRENCY,
  defaultTimeZone: config.DEFAULT_TIME_ZONE,
  guards: createRowWriteGuards({
    client: dynamodb,
    tableName: config.REQUEST_GUARDS_TABLE_NAME,
  }),
});
