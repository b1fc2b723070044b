const partitionKey = 'pk';
const ownerAttribute = 'userId';

/**
 * The measurements table, described once. The CDK stack, the local runtime, the repository and
 * the integration tests all derive their view of the table from this object, so a key or an
 * index cannot drift between the cloud and a developer's machine.
 *
 * One item per (userId, type, externalId); the partition key is the composite
 * `userId#type#externalId`. A reading entered by hand has no externalId: its key holds
 * `manual:<random UUID>` in that slot. The list indexes are sparse: their key attributes are
 * removed when a row is soft-deleted, so deleted rows drop out of every listing without a filter
 * expression.
 *
 * Beside the rows, the table holds one **reading marker** per hand-entered reading:
 * `userId#@reading#type#measuredAt#source`, which makes (user, type, instant, source) unique for
 * hand-entered readings through DynamoDB's own conditional writes. `@reading` is not a type, so a
 * marker is never a row's key, never resolves from an id, and (without index attributes) is never
 * listed.
 *
 * Every row (live or soft-deleted) and every reading marker carries its owner in `userId`, which
 * keys the `byOwner` index: the one way to find every item of a user, which export and erasure
 * need (docs/data-lifecycle.md).
 */
export const measurementsTable = {
  partitionKey,
  /** The owner of every row and reading marker (never removed, unlike the list indexes' keys). */
  ownerAttribute,
  /** The stack output that names the table, read by the operator tools' `--stack`. */
  outputName: 'TableName',
  /**
   * The `kind` attribute of every item: the rows' kinds (`stats:` aggregates and write-once samples
   * from the batch, readings entered by hand), and the reading markers'. The stream filter selects on it.
   */
  rowKinds: ['stats', 'sample', 'manual'],
  readingMarker: { kind: 'reading-marker', typeSegment: '@reading' },
  streamViewType: 'NEW_AND_OLD_IMAGES',
  /** Attributes that only exist to feed an index; removed on soft delete. */
  indexAttributes: {
    user: 'gsiUser',
    userType: 'gsiUserType',
    userExternalId: 'gsiUserExternalId',
  },
  indexes: {
    /** GET /api/measurements without `type`: a user's rows, newest first. */
    byUser: {
      indexName: 'byUser',
      partitionKey: 'gsiUser',
      sortKey: 'measuredAt',
      projection: 'ALL',
    },
    /** GET /api/measurements?type=…: a user's rows of one type, newest first. */
    byUserType: {
      indexName: 'byUserType',
      partitionKey: 'gsiUserType',
      sortKey: 'measuredAt',
      projection: 'ALL',
    },
    /** DELETE /api/measurements/by-external-ids: the phone knows a sample's UUID, not its type. */
    byUserExternalId: {
      indexName: 'byUserExternalId',
      partitionKey: 'gsiUserExternalId',
      sortKey: undefined,
      projection: 'KEYS_ONLY',
    },
    /**
     * Every item of one user, live rows, soft-deleted rows and reading markers alike, in key
     * order: what `npm run export-user` and `npm run erase-user` read. Keys only: the tools read
     * the items by key, and a write that changes no key never touches this index.
     */
    byOwner: {
      indexName: 'byOwner',
      partitionKey: ownerAttribute,
      sortKey: partitionKey,
      projection: 'KEYS_ONLY',
    },
  },
} as const;

export type MeasurementsIndex = (typeof measurementsTable.indexes)[keyof typeof measurementsTable.indexes];

/** The indexes the row API reads (lists, day totals, by-external-ids); `byOwner` is the operator tools'. */
export const rowApiIndexes: readonly MeasurementsIndex[] = [
  measurementsTable.indexes.byUser,
  measurementsTable.indexes.byUserType,
  measurementsTable.indexes.byUserExternalId,
];

/** Every index key attribute is a string. */
export const measurementsTableStringAttributes: readonly string[] = [
  ...new Set([
    measurementsTable.partitionKey,
    ...Object.values(measurementsTable.indexes).flatMap((index) =>
      index.sortKey ? [index.partitionKey, index.sortKey] : [index.partitionKey],
    ),
  ]),
];
