import { measurementId } from '../../functions/measurements/model/measurement-id';
import type { MeasurementKind } from '../../functions/measurements/model/measurement';
import { softDeleteOf } from '../../functions/measurements/model/tombstone';
import { storedItem } from '../support/stored-items';
import { MANUAL_ID, MANUAL_SLOT, manualItem } from './audit-fixtures';

/**
 * data-lifecycle: a soft-deleted row keeps only what duplicate detection and resurrection need —
 * its key, kind, type, externalId and deletedAt — and drops its values, notes and device fields
 * at the moment of deletion. Applied here to full items exactly as the writers build them; the
 * integration tests (test/integration/tombstones.test.ts) read what DynamoDB stored.
 */

const by = { requestId: 'req-delete', at: '2026-08-15T09:00:00.000Z' };

function tombstoneOf(item: Record<string, unknown>): Record<string, unknown> {
  const { set, remove } = softDeleteOf(item.kind as MeasurementKind, by);
  const tombstone: Record<string, unknown> = { ...item, ...set };
  for (const attribute of remove) delete tombstone[attribute];
  return tombstone;
}

const fullStats = () => ({
  ...storedItem({
    userId: 'alice',
    type: 'PULSE',
    externalId: 'stats:HKQuantityTypeIdentifierHeartRate:2026-08-14T06:00:00.000Z',
    value: 72,
    valueMin: 58,
    valueMax: 91,
    deviceType: 'watch',
    externalSourceVersion: '10.5',
    rhythmClassification: 'SINUS_RHYTHM',
  }),
  notes: 'after the stairs',
  writer: 'edit',
});

const fullSample = () => ({
  ...storedItem({
    userId: 'alice',
    type: 'SLEEP_ANALYSIS',
    externalId: '8F2C0A11-0000-4000-8000-000000000001',
    sleepStage: 'DEEP',
    value: 94,
    unit: 'min',
  }),
  writer: 'import',
  restoredWriter: 'batch',
});

describe('a soft delete strips the row to its tombstone', () => {
  it('a stats row keeps its key, owner, id, kind, type and externalId, and records the delete', () => {
    const item = fullStats();
    expect(tombstoneOf(item)).toStrictEqual({
      pk: item.pk,
      userId: 'alice',
      kind: 'stats',
      id: measurementId('PULSE', item.externalId as string),
      type: 'PULSE',
      externalId: item.externalId,
      deletedAt: by.at,
      updatedAt: by.at,
      writer: 'delete',
      requestId: 'req-delete',
    });
  });

  it('a sample the same (its externalId is what makes a re-post a duplicate); a restored row loses restoredWriter too', () => {
    const item = fullSample();
    expect(Object.keys(tombstoneOf(item)).sort()).toEqual(
      [
        'pk',
        'userId',
        'kind',
        'id',
        'type',
        'externalId',
        'deletedAt',
        'updatedAt',
        'writer',
        'requestId',
      ].sort(),
    );
    expect(tombstoneOf(item)).toMatchObject({ kind: 'sample', externalId: item.externalId, id: item.id });
  });

  it('a hand-entered reading also keeps measuredAt and source, its marker’s address, and drops its note', () => {
    const item = { ...manualItem({ type: 'BLOOD_GLUCOSE', glucoseContext: 'FASTING', deviceType: 'meter' }) };
    expect(tombstoneOf(item)).toStrictEqual({
      pk: item.pk,
      userId: item.userId,
      kind: 'manual',
      id: MANUAL_ID,
      type: 'BLOOD_GLUCOSE',
      externalId: null,
      measuredAt: '2026-05-24T06:30:00.000Z',
      source: 'MANUAL',
      deletedAt: by.at,
      updatedAt: by.at,
      writer: 'delete',
      requestId: 'req-delete',
    });
    expect(String(item.pk)).toContain(MANUAL_SLOT);
  });

  it('keeps no value, unit, instant (but a hand entry’s), note, device field, subtype or index key', () => {
    for (const item of [fullStats(), fullSample(), manualItem()]) {
      const tombstone = tombstoneOf(item);
      for (const dropped of [
        'value',
        'valueMin',
        'valueMax',
        'unit',
        'clientUnit',
        'startDate',
        'hkIdentifier',
        'notes',
        'glucoseContext',
        'deviceType',
        'externalSourceVersion',
        'sleepStage',
        'rhythmClassification',
        'createdAt',
        'restoredWriter',
        'gsiUser',
        'gsiUserType',
        'gsiUserExternalId',
      ]) {
        expect(tombstone).not.toHaveProperty(dropped);
      }
      expect(JSON.stringify(tombstone)).not.toMatch(/after the stairs|sauna|watch|meter/);
      if (item.kind !== 'manual') {
        expect(tombstone).not.toHaveProperty('measuredAt');
        expect(tombstone).not.toHaveProperty('source');
      }
    }
  });

  it('is one UpdateItem: the delete sets four attributes and removes the rest, never the key or the owner', () => {
    for (const kind of ['stats', 'sample', 'manual'] as const) {
      const { set, remove } = softDeleteOf(kind, by);
      expect(Object.keys(set).sort()).toEqual(['deletedAt', 'requestId', 'updatedAt', 'writer']);
      for (const kept of ['pk', 'userId', 'kind', 'id', 'type', 'externalId'])
        expect(remove).not.toContain(kept);
      expect(remove).toEqual(expect.arrayContaining(['gsiUser', 'gsiUserType', 'gsiUserExternalId']));
    }
  });
});
