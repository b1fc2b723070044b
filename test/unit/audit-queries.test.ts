import { auditEvents } from '../../definitions/log-events';
import { lifecycleEvents } from '../../definitions/user-lifecycle';
import { cumulativeTypes } from '../../definitions/cumulative-types';
import { measurementTypes } from '../../functions/measurements/model/measurement-types';
import { rowHistoryPlaceholders, savedQueries } from '../../lib/audit-queries';

describe('the saved queries answer the questions of audit-events.md', () => {
  it('there are eight, each with a unique id and name', () => {
    expect(savedQueries).toHaveLength(8);
    expect(new Set(savedQueries.map((query) => query.id)).size).toBe(8);
    expect(new Set(savedQueries.map((query) => query.name)).size).toBe(8);
  });

  it('the overwrite queries read the overwrite event by its exact name', () => {
    for (const query of savedQueries.filter(
      (q) => q.logGroupOf === 'auditStream' && q.id !== 'ImportsAndErasuresQuery',
    )) {
      expect(query.queryString).toContain(`"${auditEvents.statsOverwrite}"`);
    }
  });

  it('no query names a user by userId: the audit events name userRef only', () => {
    for (const query of savedQueries.filter((q) => q.logGroupOf === 'auditStream')) {
      expect(query.queryString).not.toMatch(/\buserId\b/);
    }
    const userColumns = savedQueries
      .filter((q) => q.logGroupOf === 'auditStream' && /^fields .*\buserRef\b/.test(q.queryString))
      .map((q) => q.id);
    expect(userColumns.sort()).toEqual(
      [
        'CumulativeDecreasesQuery',
        'ImportsAndErasuresQuery',
        'RecentStatsOverwritesQuery',
        'RepostsUndidEditQuery',
      ].sort(),
    );
  });

  it('the imports and erasures are the two lifecycle events, by their exact names', () => {
    const lifecycle = savedQueries.find((query) => query.id === 'ImportsAndErasuresQuery')!;
    expect(lifecycle.logGroupOf).toBe('auditStream');
    expect(lifecycle.queryString).toContain(
      `filter message in ["${lifecycleEvents.imported}", "${lifecycleEvents.erased}"]\n`,
    );
  });

  it('the listings de-duplicate redelivered records by eventId, as the last command but limit', () => {
    for (const query of savedQueries.filter((q) => q.queryString.includes('dedup'))) {
      const commands = query.queryString.split('\n| ');
      const dedup = commands.findIndex((command) => command === 'dedup eventId');
      expect(dedup).toBeGreaterThan(commands.findIndex((command) => command.startsWith('sort ')));
      expect(commands.slice(dedup + 1).every((command) => command.startsWith('limit '))).toBe(true);
      expect(commands[0]).toMatch(/^fields .*\beventId\b/);
    }
  });

  it('the cumulative types are measurement types the service stores', () => {
    for (const type of cumulativeTypes) expect(measurementTypes).toContain(type);
  });

  it('the row history by externalId filters by userRef and externalId through visible placeholders', () => {
    const history = savedQueries.find((query) => query.id === 'RowHistoryByExternalIdQuery')!;
    expect(history.queryString).toContain(
      `filter userRef = "${rowHistoryPlaceholders.userRef}" and externalId = "${rowHistoryPlaceholders.externalId}"\n`,
    );
    for (const event of Object.values(auditEvents)) expect(history.queryString).toContain(`"${event}"`);
  });

  it('the row history by id filters by userRef and the row id (hand-entered rows have no externalId)', () => {
    const history = savedQueries.find((query) => query.id === 'RowHistoryByIdQuery')!;
    expect(history.queryString).toContain(
      `filter userRef = "${rowHistoryPlaceholders.userRef}" and id = "${rowHistoryPlaceholders.id}"\n`,
    );
    expect(history.queryString).not.toContain('externalId =');
    for (const event of Object.values(auditEvents)) expect(history.queryString).toContain(`"${event}"`);
  });

  it('the undone hand edits are the overwrites with overwroteEdit = 1', () => {
    const undone = savedQueries.find((query) => query.id === 'RepostsUndidEditQuery')!;
    expect(undone.queryString).toContain(
      `filter message = "${auditEvents.statsOverwrite}" and overwroteEdit = 1\n`,
    );
  });

  it('the ingest totals include every skip reason of skippedByReason', () => {
    const totals = savedQueries.find((query) => query.id === 'IngestOutcomesPerHourQuery')!;
    expect(totals.logGroupOf).toBe('ingestBatch');
    for (const reason of [
      'unstable_external_id',
      'unmappable_identifier',
      'value_out_of_range',
      'implausible_timestamp',
      'malformed_hr_bucket_id',
    ]) {
      expect(totals.queryString).toContain(`sum(skippedByReason.${reason})`);
    }
    expect(totals.queryString).toContain('by bin(1h)');
  });
});
