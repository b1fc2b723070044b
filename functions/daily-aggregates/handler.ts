import { serviceFunctions } from '../../definitions/service-functions';
import { loadSettings } from '../commons/config';
import { createDocumentClient } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { createSqsClient } from '../commons/sqs-client';
import { DailyAggregates } from '../measurements/storage/daily-aggregates';
import { createDailyAggregatesHandler } from './create-daily-aggregates-handler';
import { SqsSettleQueue } from './settle-queue';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadSettings(serviceFunctions.dailyAggregates);

export const handler = createDailyAggregatesHandler({
  logger: createLogger(),
  store: new DailyAggregates(createDocumentClient(config), {
    measurements: config.TABLE_NAME,
    aggregates: config.DAILY_AGGREGATES_TABLE_NAME,
  }),
  settleQueue: new SqsSettleQueue(
    createSqsClient(config.AGGREGATE_SETTLE_QUEUE_URL),
    config.AGGREGATE_SETTLE_QUEUE_URL,
  ),
  concurrency: config.WRITE_CONCURRENCY,
});
