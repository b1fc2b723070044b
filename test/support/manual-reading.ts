import { manualKeySlot, measurementId } from '../../functions/measurements/model/measurement-id';
import type { NewManualReading } from '../../functions/measurements/rows/row-store';

/**
 * A reading entered by hand, keyed as `POST /api/measurements` keys it: the slot of its random
 * uuid, and the id that names its type and slot. A weight unless overridden; every test overrides
 * only what its rule is about, so a new field of the reading is given here once.
 */
export function newManualReading(
  reading: Partial<NewManualReading['reading']> = {},
  key: { readonly userId?: string; readonly uuid?: string } = {},
): NewManualReading {
  const type = reading.type ?? 'WEIGHT';
  const slot = manualKeySlot(key.uuid ?? '00000000-0000-4000-8000-000000000001');
  return {
    ref: { userId: key.userId ?? 'alice', type, externalId: slot },
    id: measurementId(type, slot),
    reading: {
      type,
      value: 72.5,
      unit: 'kg',
      measuredAt: '2026-08-14T07:00:00.000Z',
      source: 'MANUAL',
      notes: null,
      glucoseContext: null,
      deviceType: null,
      ...reading,
    },
  };
}
