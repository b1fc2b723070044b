/**
 * Builders for the audit tests: stored items as the repository writes them (see
 * MeasurementItem) and the stream records Lambda would deliver for their changes.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from '../../functions/commons/item-change';
import type { MeasurementKind } from '../../functions/measurements/model/measurement';
import { manualKeySlot, measurementId } from '../../functions/measurements/model/measurement-id';
import { softDeleteOf } from '../../functions/measurements/model/tombstone';
import { userLifecycle } from '../../definitions/user-lifecycle';
import { toManualItem, toReadingMarkerItem } from '../../functions/measurements/storage/measurement-item';
import { storedItem } from '../support/stored-items';
import { newManualReading } from '../support/manual-reading';

export const USER = 'user-7f3a';
export const STEPS_EXTERNAL_ID = 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24';
export const STEPS_ID = Buffer.from(`ACTIVITY_STEPS#${STEPS_EXTERNAL_ID}`).toString('base64url');

/** The `stats:` steps row of 2026-05-24 holding 300, written by the batch of request `req-morning`. */
export function statsItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...storedItem({
      userId: USER,
      type: 'ACTIVITY_STEPS',
      externalId: STEPS_EXTERNAL_ID,
      hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
      value: 300,
      unit: 'steps',
      clientUnit: 'steps',
      measuredAt: '2026-05-23T22:00:00.000Z',
      startDate: '2026-05-23T22:00:00.000Z',
      createdAt: '2026-05-24T08:00:00.000Z',
      requestId: 'req-morning',
    }),
    ...overrides,
  };
}

/** A heart-rate sample (write-once). */
export function sampleItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return statsItem({
    pk: `${USER}#PULSE#C0FFEE00-0000-4000-8000-000000000000`,
    kind: 'sample',
    type: 'PULSE',
    externalId: 'C0FFEE00-0000-4000-8000-000000000000',
    hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
    value: 64,
    unit: 'bpm',
    ...overrides,
  });
}

const MANUAL_UUID = '3f1a4c55-9f0e-4a1c-8d2b-7e110b6f6c2e';
export const MANUAL_SLOT = manualKeySlot(MANUAL_UUID);
export const MANUAL_ID = measurementId('WEIGHT', MANUAL_SLOT);
export const NOTE = 'weighed after the sauna, feeling dizzy';

/** A weight entered by hand in the app, with a note, as `POST /api/measurements` writes it. */
export function manualItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...toManualItem(
      newManualReading(
        { value: 72.4, measuredAt: '2026-05-24T06:30:00.000Z', notes: NOTE },
        { userId: USER, uuid: MANUAL_UUID },
      ),
      { requestId: 'req-create', at: '2026-05-24T06:30:05.000Z' },
    ),
    ...overrides,
  };
}

/** The uniqueness marker written beside a hand-entered reading. */
export function readingMarker(item: Record<string, unknown> = manualItem()): Record<string, unknown> {
  return toReadingMarkerItem(
    USER,
    item as { type: string; measuredAt: string; source: string },
    String(item.pk),
    String(item.createdAt),
  );
}

/**
 * The evening batch re-post of the steps row: the whole item replaced, by request `req-evening`
 * (so `createdAt` is rewritten too, and a note or glucose context of an edit is gone: a batch
 * item has neither), with `changes` on top.
 */
export function repostOf(
  item: Record<string, unknown>,
  value: number,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  const { deletedAt: _deletedAt, notes: _notes, glucoseContext: _glucoseContext, ...rest } = item;
  return {
    ...rest,
    value,
    ...changes,
    createdAt: '2026-05-24T20:00:00.000Z',
    updatedAt: '2026-05-24T20:00:00.000Z',
    requestId: 'req-evening',
    writer: 'batch',
    gsiUser: USER,
    gsiUserType: `${USER}#${String(item.type)}`,
    gsiUserExternalId: `${USER}#${String(item.externalId)}`,
  };
}

/** The row API's soft delete: the row becomes its tombstone (model/tombstone.ts), as the repository writes it. */
export function softDeletedOf(item: Record<string, unknown>): Record<string, unknown> {
  const { set, remove } = softDeleteOf(item.kind as MeasurementKind, {
    requestId: 'req-delete',
    at: '2026-05-24T12:00:00.000Z',
  });
  const tombstone: Record<string, unknown> = { ...item, ...set };
  for (const attribute of remove) delete tombstone[attribute];
  return tombstone;
}

/**
 * A row soft-deleted before deletes stripped it: every attribute kept, deletedAt set, index keys
 * removed. Tables still hold such rows.
 */
export function legacyTombstoneOf(item: Record<string, unknown>): Record<string, unknown> {
  const { gsiUser: _u, gsiUserType: _t, gsiUserExternalId: _e, ...rest } = item;
  return {
    ...rest,
    deletedAt: '2026-05-24T12:00:00.000Z',
    updatedAt: '2026-05-24T12:00:00.000Z',
    writer: 'delete',
    requestId: 'req-delete',
  };
}

/** The row as `npm run import-user` restores it: `writer: import`, the exported writer kept in `restoredWriter`. */
export function importedOf(item: Record<string, unknown>): Record<string, unknown> {
  return { ...item, writer: 'import', restoredWriter: item.writer, requestId: 'import-run-1' };
}

/** A userRef of the shape the audit derives (22 base64url characters). */
export const USER_REF = 'Qm9vay1vZi1zaGFkb3dzLg';

/** The lifecycle item an import or erasure puts (and deletes at once) to announce itself. */
export function lifecycleItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const names = userLifecycle.lifecycleItem;
  return {
    pk: `${names.keyPrefix}6b1f0a52-3c7e-4d0b-9f55-2a8e1c0d7e11`,
    kind: names.kind,
    [names.eventAttribute]: 'user.imported',
    [names.userRefAttribute]: USER_REF,
    [names.countsAttribute]: { rows: 120, deletedRows: 3, readingMarkers: 2 },
    [names.startedAtAttribute]: '2026-05-24T20:00:00.000Z',
    [names.endedAtAttribute]: '2026-05-24T20:00:07.500Z',
    ...overrides,
  };
}

/** The row API's edit of the value (and optionally more). */
export function editedOf(
  item: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...item,
    ...changes,
    updatedAt: '2026-05-24T13:00:00.000Z',
    writer: 'edit',
    requestId: 'req-edit',
  };
}

export const POSITION = {
  eventId: 'c81e728d9d4c2f636f067f89cc14862c',
  sequenceNumber: '4421584500000000017450439091',
  approximateCreationTime: '2026-05-24T20:00:01.000Z',
} as const;

export function change(
  eventName: ItemChange['eventName'],
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
): ItemChange {
  return {
    eventName,
    ...POSITION,
    ...(oldImage ? { oldImage } : {}),
    ...(newImage ? { newImage } : {}),
  };
}

let sequence = 100;

/** The record Lambda would deliver for this change (DynamoDB JSON images, epoch seconds). */
export function lambdaRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
): DynamoDBRecord {
  const seq = String(++sequence).padStart(21, '0');
  const keyImage = (newImage ?? oldImage)!;
  return {
    eventID: `event-${seq}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-central-1',
    dynamodb: {
      ApproximateCreationDateTime: Date.parse('2026-05-24T20:00:01Z') / 1000,
      Keys: marshall({ pk: keyImage.pk }) as any,
      ...(newImage ? { NewImage: marshall(newImage) as any } : {}),
      ...(oldImage ? { OldImage: marshall(oldImage) as any } : {}),
      SequenceNumber: seq,
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN:
      'arn:aws:dynamodb:eu-central-1:123456789012:table/measurements/stream/2026-05-24T00:00:00.000',
  };
}
