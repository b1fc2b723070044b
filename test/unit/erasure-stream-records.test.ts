import { streamConsumers } from '../../definitions/stream-consumers';
import { userLifecycle } from '../../definitions/user-lifecycle';
import { toErasingItem } from '../../functions/measurements/storage/measurement-item';
import { matchesAnyFilterPattern } from '../../local/filter-pattern';
import {
  lambdaRecord,
  manualItem,
  readingMarker,
  sampleItem,
  softDeletedOf,
  statsItem,
} from './audit-fixtures';

/**
 * The erasure's two writes per item (docs/data-lifecycle.md, "Erasure"): a row overwritten with a
 * bare `erasing` item, then that item deleted. Neither record may reach any stream consumer — not
 * the audit function (a `measurement.deleted` would copy the erased value into the trail) and not
 * the aggregate function (it would recompute, and so recreate, the user's aggregates) — whatever
 * the row was, including its REMOVE patterns.
 */

const erasing = (item: Record<string, unknown>) => toErasingItem(String(item.userId), String(item.pk));

const rows: [string, Record<string, unknown>][] = [
  ['a stats: row', statsItem()],
  ['a sample', sampleItem()],
  ['a hand-entered reading', manualItem()],
  ['a soft-deleted row', softDeletedOf(manualItem())],
  ['a reading marker', readingMarker()],
];

describe.each(Object.entries(streamConsumers))('the %s function never sees the erasure', (_, source) => {
  const delivered = (record: unknown) => matchesAnyFilterPattern(record, source.filterPatterns);

  test.each(rows)('%s overwritten with its erasing item, then that deleted', (_, item) => {
    expect(delivered(lambdaRecord('MODIFY', item, erasing(item)))).toBe(false);
    expect(delivered(lambdaRecord('REMOVE', erasing(item), undefined))).toBe(false);
    // An erasure resumed over a key a write recreated meanwhile: the put is an INSERT.
    expect(delivered(lambdaRecord('INSERT', undefined, erasing(item)))).toBe(false);
  });

  test('the lifecycle item’s REMOVE (deleted right after it was put) reaches no consumer', () => {
    const lifecycle = {
      pk: `${userLifecycle.lifecycleItem.keyPrefix}00000000-0000-4000-8000-000000000000`,
      kind: userLifecycle.lifecycleItem.kind,
      event: 'user.erased',
      userRef: 'AAAAAAAAAAAAAAAAAAAAAA',
      counts: { rows: 1 },
      startedAt: '2026-11-20T12:00:00.000Z',
      endedAt: '2026-11-20T12:00:01.000Z',
    };
    expect(delivered(lambdaRecord('REMOVE', lifecycle, undefined))).toBe(false);
  });
});
