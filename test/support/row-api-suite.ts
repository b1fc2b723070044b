import { batchClient } from './batch-client';
import { captureLogs, type CapturedLogs } from './captured-logs';
import { createLocalTable, type LocalTable, type LocalTableOptions } from './local-table';
import { measurementsApiClient, type MeasurementsApi } from './measurements-api-client';

export { ROW_KEYS } from './documented-row';

/** HealthLog's 404 for a row that does not exist or is not the caller's, byte for byte. */
export const NOT_FOUND_BODY = '{"data":null,"error":"Measurement not found"}';

/** What a row-API suite works with; read its fields inside tests and hooks, not at load time. */
export interface RowApiSuite {
  /** The suite's own measurements table (and daily-aggregates table) on DynamoDB Local. */
  readonly table: LocalTable;
  /** The real row-API handler on that table, without request guards. */
  readonly api: MeasurementsApi;
  /** The real batch handler on that table, without request guards. */
  readonly post: ReturnType<typeof batchClient>;
  /** The log lines of the running test. */
  readonly logs: CapturedLogs;
  /** A user no other test uses, so tests never see each other's rows. */
  newUser(): string;
}

/**
 * Registers the hooks of a suite that calls the row API and the batch on a table of its own:
 * the table is created before the suite and dropped after it, the logs captured per test.
 */
export function rowApiSuite(userPrefix: string, tableOptions: LocalTableOptions = {}): RowApiSuite {
  let parts: { table: LocalTable; api: MeasurementsApi; post: ReturnType<typeof batchClient> } | undefined;
  let logs: CapturedLogs | undefined;
  let userSeq = 0;

  beforeAll(async () => {
    const table = await createLocalTable(tableOptions);
    const target = { documentClient: table.documentClient, tableName: table.tableName };
    parts = { table, api: measurementsApiClient(target), post: batchClient(target) };
  });
  afterAll(async () => parts?.table.drop());
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs?.restore());

  const ready = () => {
    if (!parts) throw new Error('the row-API suite is used before its beforeAll ran');
    return parts;
  };
  return {
    get table() {
      return ready().table;
    },
    get api() {
      return ready().api;
    },
    get post() {
      return ready().post;
    },
    get logs() {
      if (!logs) throw new Error('the row-API suite logs are read outside a test');
      return logs;
    },
    newUser: () => `${userPrefix}-${++userSeq}-${Date.now()}`,
  };
}
