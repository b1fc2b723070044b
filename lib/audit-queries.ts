import { cumulativeTypes } from '../definitions/cumulative-types';
import { auditEvents, ingestEvents } from '../definitions/log-events';
import type { ServiceFunctionName } from '../definitions/service-functions';
import { skipReasons } from '../definitions/skip-reasons';
import { lifecycleEvents } from '../definitions/user-lifecycle';

/**
 * The Logs Insights questions operators ask of the audit trail (docs/operations.md, "Saved queries"), as the text operators run. The
 * stack saves each as a query definition on its log group, and `npm run docs` renders the same text into
 * docs/operations.md (a unit test fails while that page is out of date). Field names are the events' top-level keys.
 *
 * The audit function may see a stream record more than once (Lambda retries from a failed
 * record): listings `dedup eventId`, counts use `count_distinct(eventId)`.
 */

/** What an operator replaces in the row-history query before running it. */
export const rowHistoryPlaceholders = {
  /** The user's pseudonym, as `npm run audit-ref -- --user <id>` prints it: events never name the user id. */
  userRef: 'REPLACE_WITH_USER_REF',
  externalId: 'REPLACE_WITH_EXTERNAL_ID',
  /** The row id the API answers: every row has one, and a hand-entered row has nothing else. */
  id: 'REPLACE_WITH_ROW_ID',
} as const;

/**
 * What a row's history shows per event: the scalar fields as columns, and `@message` for the
 * whole line, `changedFields` (an array) included.
 */
const rowHistoryFields =
  'fields @timestamp, message, previousValue, value, delta, direction, overwroteEdit, resurrected, requestId, eventId, @message';

export interface SavedQuery {
  /** Construct id of its query definition. */
  readonly id: string;
  /** Name in the Logs Insights console (prefixed with the stack name as a folder). */
  readonly name: string;
  /** The question it answers, as docs/operations.md shows it beside the text. */
  readonly question: string;
  /** Whose log group it runs on. */
  readonly logGroupOf: ServiceFunctionName;
  readonly queryString: string;
}

const lines = (...commands: string[]) => commands.join('\n| ');
const quoted = (values: readonly string[]) => `[${values.map((value) => `"${value}"`).join(', ')}]`;

/** Every audit event of one row of one user, oldest first, named by its `externalId` or its `id`. */
function rowHistoryQuery(by: 'externalId' | 'id'): string {
  return lines(
    rowHistoryFields,
    `filter userRef = "${rowHistoryPlaceholders.userRef}" and ${by} = "${rowHistoryPlaceholders[by]}"`,
    `filter message in ${quoted(Object.values(auditEvents))}`,
    'sort @timestamp asc',
    'dedup eventId',
  );
}

/** `value_out_of_range` → `skippedValueOutOfRange`. */
const skippedAlias = (reason: string) =>
  'skipped' + reason.replace(/(^|_)([a-z])/g, (_match, _sep, letter: string) => letter.toUpperCase());

export const savedQueries: readonly SavedQuery[] = [
  {
    id: 'RecentStatsOverwritesQuery',
    name: 'Audit/Recent stats overwrites',
    question:
      'Which `stats:` rows were overwritten lately, from what to what, by which request? Newest first.',
    logGroupOf: 'auditStream',
    queryString: lines(
      'fields @timestamp, userRef, type, externalId, previousValue, value, delta, direction, overwroteEdit, resurrected, requestId, eventId, @message',
      `filter message = "${auditEvents.statsOverwrite}"`,
      'sort @timestamp desc',
      'dedup eventId',
      'limit 200',
    ),
  },
  {
    id: 'StatsOverwritesPerTypeQuery',
    name: 'Audit/Stats overwrites per type per day',
    question: 'How often are day totals re-posted with a change a user sees, per measurement type and day?',
    logGroupOf: 'auditStream',
    queryString: lines(
      `filter message = "${auditEvents.statsOverwrite}"`,
      'stats count_distinct(eventId) as overwrites by bin(1d) as day, type',
      'sort day desc, overwrites desc',
    ),
  },
  {
    id: 'CumulativeDecreasesQuery',
    name: 'Audit/Decreases of cumulative totals',
    question:
      'Did any cumulative day total (steps, energy, flights, distance, daylight, falls) go down? Each one is suspicious.',
    logGroupOf: 'auditStream',
    queryString: lines(
      'fields @timestamp, userRef, type, externalId, measuredAt, previousValue, value, delta, requestId, eventId',
      `filter message = "${auditEvents.statsOverwrite}" and direction = "decrease"`,
      `filter type in ${quoted(cumulativeTypes)}`,
      'sort @timestamp desc',
      'dedup eventId',
    ),
  },
  {
    id: 'RowHistoryByExternalIdQuery',
    name: 'Audit/History of one row by externalId',
    question: `Everything that happened to one row the phone synced: overwrites, edits, deletes, resurrections, oldest first. Replace ${rowHistoryPlaceholders.userRef} (\`npm run audit-ref\`) and ${rowHistoryPlaceholders.externalId} before running.`,
    logGroupOf: 'auditStream',
    queryString: rowHistoryQuery('externalId'),
  },
  {
    id: 'RowHistoryByIdQuery',
    name: 'Audit/History of one row by id',
    question: `The same by the row's id, which every row has — the only way to name a hand-entered one, which has no externalId. Replace ${rowHistoryPlaceholders.userRef} and ${rowHistoryPlaceholders.id} before running.`,
    logGroupOf: 'auditStream',
    queryString: rowHistoryQuery('id'),
  },
  {
    id: 'RepostsUndidEditQuery',
    name: 'Audit/Re-posts that undid a hand edit',
    question:
      "Which hand edits did the phone's next re-post of a `stats:` row replace, with what, and which request? Newest first.",
    logGroupOf: 'auditStream',
    queryString: lines(
      'fields @timestamp, userRef, type, externalId, id, previousValue, value, delta, previousUpdatedAt, requestId, eventId, @message',
      `filter message = "${auditEvents.statsOverwrite}" and overwroteEdit = 1`,
      'sort @timestamp desc',
      'dedup eventId',
      'limit 200',
    ),
  },
  {
    id: 'ImportsAndErasuresQuery',
    name: 'Audit/Imports and erasures',
    question:
      'Which users were restored by `npm run import-user` or erased by `npm run erase-user`, when, and how many items of each kind? Newest first.',
    logGroupOf: 'auditStream',
    queryString: lines(
      'fields @timestamp, message, userRef, startedAt, endedAt, eventId, @message',
      `filter message in ${quoted(Object.values(lifecycleEvents))}`,
      'sort @timestamp desc',
      'dedup eventId',
      'limit 200',
    ),
  },
  {
    id: 'IngestOutcomesPerHourQuery',
    name: 'Ingest/Outcome totals per hour',
    question:
      'How many batches and entries per hour, with which outcome, and why were entries skipped (`skippedByReason`)?',
    logGroupOf: 'ingestBatch',
    queryString: lines(
      `filter message = "${ingestEvents.summary}"`,
      [
        'stats count(*) as batches',
        'sum(processed) as processedTotal',
        'sum(inserted) as insertedTotal',
        'sum(updated) as updatedTotal',
        'sum(duplicates) as duplicatesTotal',
        'sum(skipped) as skippedTotal',
        'sum(failed) as failedTotal',
        ...skipReasons.map((reason) => `sum(skippedByReason.${reason}) as ${skippedAlias(reason)}`),
      ].join(', ') + ' by bin(1h) as hour',
      'sort hour desc',
    ),
  },
];
