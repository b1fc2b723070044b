import { measurementsTable } from '../../definitions/measurements-table';
import { effectiveWriter, type StoredMeasurement } from '../../functions/measurements/model/measurement';
import { manualKeySlot, measurementId } from '../../functions/measurements/model/measurement-id';
import { toManualItem, toRestoredItem } from '../../functions/measurements/storage/measurement-item';
import {
  exportRowOf,
  parseExportRow,
  UnexportableRowError,
  type ExportRow,
} from '../../functions/user-data/export-format';
import { storedItem } from '../support/stored-items';
import { newManualReading } from '../support/manual-reading';

/**
 * The export format (docs/data-lifecycle.md, "The export format"): one schema for the row line,
 * which the export writes and the import checks, and a round trip stored item → line → restored
 * item that changes nothing but who wrote it.
 */

const slot = manualKeySlot('00000000-0000-4000-8000-000000000001');

function manualItem(overrides: Record<string, unknown> = {}): StoredMeasurement {
  return {
    ...toManualItem(
      newManualReading({
        type: 'BLOOD_GLUCOSE',
        value: 151,
        unit: 'mg/dL',
        notes: 'pasta',
        glucoseContext: 'POSTPRANDIAL',
      }),
      { requestId: 'req-create', at: '2026-08-14T07:00:01.000Z' },
    ),
    ...overrides,
  } as StoredMeasurement;
}

const batchRow = () =>
  storedItem({
    userId: 'alice',
    externalId: 'stats:HKQuantityTypeIdentifierHeartRate:2026-08-14T06:00:00.000Z',
    valueMin: 58,
    valueMax: 71,
    deviceType: 'watch',
    externalSourceVersion: '11.2',
  });

/** A stored row as a soft delete leaves it: no list index keys, `deletedAt`, written by `delete`. */
function tombstone(item: StoredMeasurement): StoredMeasurement {
  const kept: Record<string, unknown> = { ...item };
  for (const attribute of Object.values(measurementsTable.indexAttributes)) delete kept[attribute];
  return {
    ...kept,
    deletedAt: '2026-08-15T09:00:00.000Z',
    updatedAt: '2026-08-15T09:00:00.000Z',
    writer: 'delete',
    requestId: 'req-delete',
  } as StoredMeasurement;
}

describe('a row line is the stored row minus what the import derives again', () => {
  test.each([
    ['a batch stats: row with its spread and device fields', batchRow()],
    ['a hand-entered glucose reading with a note and its context', manualItem()],
    ['a soft-deleted sample', tombstone(storedItem({ userId: 'alice', externalId: 'hk-9' }))],
    ['a soft-deleted reading', tombstone(manualItem())],
    [
      'a tombstone stripped to what deletion needs',
      {
        pk: `alice#PULSE#hk-10`,
        userId: 'alice',
        id: measurementId('PULSE', 'hk-10'),
        kind: 'sample',
        type: 'PULSE',
        externalId: 'hk-10',
        deletedAt: '2026-08-15T09:00:00.000Z',
        updatedAt: '2026-08-15T09:00:00.000Z',
        writer: 'delete',
        requestId: 'req-delete',
      } as unknown as StoredMeasurement,
    ],
  ])(
    '%s: no key, owner or index key in the line; restored, it is the same item written by import',
    (_, item) => {
      const line = exportRowOf(item);
      for (const attribute of [
        measurementsTable.partitionKey,
        measurementsTable.ownerAttribute,
        ...Object.values(measurementsTable.indexAttributes),
      ])
        expect(line).not.toHaveProperty(attribute);
      expect(parseExportRow(JSON.parse(JSON.stringify(line)))).toEqual({ success: true, data: line });
      const restored = toRestoredItem('alice', line);
      expect(restored).toEqual({ ...item, writer: 'import', restoredWriter: item.writer });
      expect(effectiveWriter(restored)).toBe(item.writer);
      // Exporting the restored item gives the same line: a second export of a restore is the first.
      expect(exportRowOf(restored)).toEqual(line);
    },
  );

  test('null stays null and an absent attribute stays absent (a row without a note has no notes attribute)', () => {
    const item = manualItem();
    delete (item as unknown as Record<string, unknown>).notes;
    const line = exportRowOf(item);
    expect(line).not.toHaveProperty('notes');
    expect(line).toHaveProperty('deviceType', null);
    expect(line).not.toHaveProperty('clientUnit');
    expect(batchRow()).toHaveProperty('clientUnit');
    expect(exportRowOf(batchRow())).toHaveProperty('clientUnit', 'count/min');
  });

  test('restored as another user, every key and index key names that user', () => {
    const restored = toRestoredItem('bob', exportRowOf(batchRow()));
    expect(restored.pk).toBe(`bob#PULSE#${batchRow().externalId}`);
    expect(restored).toMatchObject({ userId: 'bob', gsiUser: 'bob', gsiUserType: 'bob#PULSE' });
    expect(restored).toHaveProperty('gsiUserExternalId', `bob#${batchRow().externalId}`);
  });

  test('an attribute the format does not know refuses the export of that row, naming it and not its value', () => {
    const item = { ...batchRow(), mood: 'secret-value' } as StoredMeasurement;
    expect(() => exportRowOf(item)).toThrow(UnexportableRowError);
    expect(() => exportRowOf(item)).toThrow(/attributes the export format does not know: mood/);
    expect(() => exportRowOf(item)).not.toThrow(/secret-value/);
  });
});

describe('a row line the import refuses', () => {
  const line = (): Record<string, unknown> => JSON.parse(JSON.stringify(exportRowOf(manualItem())));
  const issues = (value: unknown) => {
    const parsed = parseExportRow(value);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.') || issue.code);
  };

  test.each<[string, (row: Record<string, unknown>) => void, string[]]>([
    ['a value that is not a number', (row) => (row.value = '151'), ['value']],
    ['a live row without its value', (row) => delete row.value, ['value']],
    ['an unknown type (its id then names another)', (row) => (row.type = 'MOOD'), ['type', 'id']],
    ['an id of another type', (row) => (row.id = measurementId('WEIGHT', slot)), ['id']],
    ['a hand-entered row claiming an externalId', (row) => (row.externalId = slot), ['id']],
    ['a kind its id does not have', (row) => (row.kind = 'sample'), ['id']],
    ['an instant that is not ISO 8601', (row) => (row.measuredAt = '14.08.2026 07:00'), ['measuredAt']],
    ['a lone surrogate in a note', (row) => (row.notes = 'pasta \ud800'), ['notes']],
    [
      'the writer `import` (an export names who really wrote the row)',
      (row) => (row.writer = 'import'),
      ['writer'],
    ],
    ['an attribute the format does not know', (row) => (row.mood = 'ok'), ['unrecognized_keys']],
    ['a key or owner (derived, never in a line)', (row) => (row.pk = 'alice#X'), ['unrecognized_keys']],
    [
      'a tombstone without its writer',
      (row) => Object.assign(row, { deletedAt: '2026-08-15T09:00:00.000Z', writer: undefined }),
      ['writer'],
    ],
  ])('%s', (_, change, paths) => {
    const row = line();
    change(row);
    expect(issues(row)).toEqual(paths);
  });

  test('a tombstone may carry no value at all', () => {
    const row: Partial<ExportRow> & Record<string, unknown> = {
      id: measurementId('PULSE', 'hk-1'),
      kind: 'sample',
      type: 'PULSE',
      externalId: 'hk-1',
      deletedAt: '2026-08-15T09:00:00.000Z',
      updatedAt: '2026-08-15T09:00:00.000Z',
      requestId: 'req-delete',
      writer: 'delete',
    };
    expect(issues(row)).toEqual([]);
  });
});

describe('effectiveWriter: who wrote the row, through a restore', () => {
  test.each([
    [{ writer: 'edit' }, 'edit'],
    [{ writer: 'import', restoredWriter: 'edit' }, 'edit'],
    [{ writer: 'import', restoredWriter: 'batch' }, 'batch'],
  ] as const)('%j → %s', (row, writer) => {
    expect(effectiveWriter(row)).toBe(writer);
  });

  test('an imported row without the writer it restores has none, and its export is refused, not a guess', () => {
    expect(effectiveWriter({ writer: 'import' })).toBeUndefined();
    const item = { ...batchRow(), writer: 'import' } as StoredMeasurement;
    expect(() => exportRowOf(item)).toThrow(/does not fit the export format: writer/);
  });
});
