import { createServer, type Server, type Socket } from 'node:net';
import { logMetricFilters } from '../../definitions/log-metric-filters';
import { createDocumentClient } from '../../functions/commons/dynamodb-client';
import { TableMeasurementWriter } from '../../functions/measurements/storage/table-measurement-writer';
import { freePort } from '../../local/dynamodb-local';
import { batchClient, entry, stepsDay } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { metricValueOf } from '../support/log-filter-pattern';

/**
 * DynamoDB out of reach: the real ingest handler, repository and production client
 * (`createDocumentClient`, the SDK's own retries) against a loopback port nothing listens on, or
 * a listener that never answers. Every entry is `failed` with a reason naming the cause — the
 * network error's code, not `Error` or `write_failed` — the answer is still 200 with one outcome
 * per entry, and the ingest summary line it logs is exactly what the failed-entries metric
 * filter (and so its alarm) counts.
 */
let logs: CapturedLogs;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

const batch = {
  entries: [
    stepsDay('2026-05-24', 5300),
    entry({ externalId: 'UNREACHABLE-1' }),
    entry({ externalId: 'UNREACHABLE-2', value: 70 }),
  ],
};

function ingestAgainst(endpoint: string) {
  const client = createDocumentClient({
    DYNAMODB_ENDPOINT: endpoint,
    DYNAMODB_MAX_ATTEMPTS: 2,
    DYNAMODB_REQUEST_TIMEOUT_MS: 300,
    WRITE_CONCURRENCY: 4,
  });
  const post = batchClient({ writer: new TableMeasurementWriter(client, 'measurements') });
  return { post, close: () => client.destroy() };
}

async function expectEveryEntryFailed(endpoint: string, reason: string): Promise<void> {
  const { post, close } = ingestAgainst(endpoint);
  try {
    const answer = await post({ userId: 'offline-user', requestId: `req-${reason}`, body: batch });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('private, no-store');
    expect(answer.body.data).toMatchObject({ processed: 3, inserted: 0, updated: 0, failed: 3 });
    expect(answer.body.data.entries).toEqual([0, 1, 2].map((index) => ({ index, status: 'failed', reason })));

    const [summary] = logs.events('measurement.batch.ingest');
    expect(summary).toMatchObject({ requestId: `req-${reason}`, failed: 3 });
    expect(summary!.failedByReason).toEqual({ [reason]: 3 });
    expect(metricValueOf(logMetricFilters.EntriesFailed, summary)).toBe(3);
    expect(metricValueOf(logMetricFilters.EntriesInserted, summary)).toBe(0);
  } finally {
    close();
  }
}

describe('a failed entry’s reason names the cause when DynamoDB cannot be reached', () => {
  it('nothing listens on the port: every entry is failed / ECONNREFUSED, and EntriesFailed counts them', async () => {
    await expectEveryEntryFailed(`http://127.0.0.1:${await freePort()}`, 'ECONNREFUSED');
  });

  describe('a listener that accepts connections and never answers', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('every entry is failed / TimeoutError after the request timeout and the SDK’s retries', async () => {
      const address = silent.address();
      if (typeof address !== 'object' || !address) throw new Error('no port');
      await expectEveryEntryFailed(`http://127.0.0.1:${address.port}`, 'TimeoutError');
    });
  });
});
