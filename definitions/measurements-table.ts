/**
 * The measurements table, described once. The CDK stack, the local runtime, the repository and
 * the integration tests all derive their view of the table from this object, so a key or an
 * index cannot drift between the cloud and a developer's machine.
 *
 * One item per (userId, type, externalId); the partition key is the composite
 * `userId#type#externalId`. The list indexes are sparse: their key attributes are removed when a
 * row is soft-deleted, so deleted rows drop out of every listing without a filter expression.
 */
export const measurementsTable = {
  partitionKey: 'pk',
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
  },
} as const;

export type MeasurementsIndex = (typeof measurementsTable.indexes)[keyof typeof measurementsTable.indexes];

/** Every index key attribute is a string. */
export const measurementsTableStringAttributes: readonly string[] = [
  measurementsTable.partitionKey,
  ...new Set(
    Object.values(measurementsTable.indexes).flatMap((index) =>
      index.sortKey ? [index.partitionKey, index.sortKey] : [index.partitionKey],
    ),
  ),
];
