import {
  changedAttributes,
  classifyChange,
  difference,
  type AuditDecision,
} from '../../functions/audit/classify-change';
import { UnreadableChangeError } from '../../functions/commons/item-change';
import {
  MANUAL_ID,
  NOTE,
  POSITION,
  STEPS_EXTERNAL_ID,
  STEPS_ID,
  USER,
  change,
  editedOf,
  manualItem,
  readingMarker,
  repostOf,
  sampleItem,
  softDeletedOf,
  statsItem,
} from './audit-fixtures';

const identity = {
  userId: USER,
  type: 'ACTIVITY_STEPS',
  hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
  externalId: STEPS_EXTERNAL_ID,
  id: STEPS_ID,
};

function info(decision: AuditDecision) {
  if (decision.level !== 'info') throw new Error(`expected an INFO event, got ${decision.level}`);
  return decision;
}

describe('measurement.batch.stats-overwrite: a batch re-post of a stats row whose value changed', () => {
  it('300 → 5300 carries exactly the fields of audit-events.md: delta 5000, increase, the writing request', () => {
    const decision = info(classifyChange(change('MODIFY', statsItem(), repostOf(statsItem(), 5300))));
    expect(decision.message).toBe('measurement.batch.stats-overwrite');
    expect(decision.fields).toStrictEqual({
      ...identity,
      previousValue: 300,
      value: 5300,
      delta: 5000,
      direction: 'increase',
      unit: 'steps',
      measuredAt: '2026-05-23T22:00:00.000Z',
      previousUpdatedAt: '2026-05-24T08:00:00.000Z',
      updatedAt: '2026-05-24T20:00:00.000Z',
      requestId: 'req-evening',
      resurrected: false,
      ...POSITION,
    });
  });

  it('a total that went down is a decrease with a negative delta', () => {
    const decision = info(
      classifyChange(change('MODIFY', statsItem({ value: 5300 }), repostOf(statsItem(), 5100))),
    );
    expect(decision.fields).toMatchObject({
      previousValue: 5300,
      value: 5100,
      delta: -200,
      direction: 'decrease',
    });
  });

  it('the delta carries no binary floating-point noise', () => {
    const decision = info(
      classifyChange(change('MODIFY', statsItem({ value: 72.1 }), repostOf(statsItem(), 72.4))),
    );
    expect(decision.fields).toMatchObject({ delta: 0.3, direction: 'increase' });
  });

  it('a re-post of a soft-deleted row brings it back: resurrected, even with a new value', () => {
    const deleted = softDeletedOf(statsItem());
    const decision = info(classifyChange(change('MODIFY', deleted, repostOf(deleted, 4000))));
    expect(decision.message).toBe('measurement.batch.stats-overwrite');
    expect(decision.fields).toMatchObject({
      previousValue: 300,
      value: 4000,
      delta: 3700,
      direction: 'increase',
      resurrected: true,
      previousUpdatedAt: '2026-05-24T12:00:00.000Z',
      requestId: 'req-evening',
    });
  });

  it('a resurrection with the value the row had before is an overwrite with delta 0, counted as an increase', () => {
    const deleted = softDeletedOf(statsItem());
    const decision = info(classifyChange(change('MODIFY', deleted, repostOf(deleted, 300))));
    expect(decision.fields).toMatchObject({ delta: 0, direction: 'increase', resurrected: true });
  });
});

describe('an unchanged stats re-post is no audit event, only a DEBUG line', () => {
  it('5300 re-posted as 5300 logs measurement.batch.stats-repost-unchanged at DEBUG', () => {
    const stored = repostOf(statsItem(), 5300);
    const decision = classifyChange(change('MODIFY', stored, { ...stored, requestId: 'req-again' }));
    expect(decision).toStrictEqual({
      level: 'debug',
      message: 'measurement.batch.stats-repost-unchanged',
      fields: { ...identity, value: 5300, requestId: 'req-again', ...POSITION },
    });
  });
});

describe('measurement.created: a reading entered by hand', () => {
  const manualIdentity = {
    userId: USER,
    type: 'WEIGHT',
    hkIdentifier: null,
    externalId: null,
    id: MANUAL_ID,
  };

  it('its INSERT carries exactly the fields of audit-events.md, with null HealthKit identity', () => {
    const decision = info(classifyChange(change('INSERT', undefined, manualItem())));
    expect(decision.message).toBe('measurement.created');
    expect(decision.fields).toStrictEqual({
      ...manualIdentity,
      value: 72.4,
      unit: 'kg',
      measuredAt: '2026-05-24T06:30:00.000Z',
      source: 'MANUAL',
      requestId: 'req-create',
      ...POSITION,
    });
    expect(JSON.stringify(decision)).not.toContain(NOTE);
  });

  it('an edit of its note names notes, never the note’s text', () => {
    const decision = info(
      classifyChange(change('MODIFY', manualItem(), editedOf(manualItem(), { notes: 'better now' }))),
    );
    expect(decision.message).toBe('measurement.value.updated');
    expect(decision.fields).toMatchObject({ ...manualIdentity, changedFields: ['notes'], value: 72.4 });
    expect(JSON.stringify(decision)).not.toMatch(/sauna|better now/);
  });

  it('a cleared note (the attribute removed) is a change of notes too', () => {
    const { notes: _notes, ...cleared } = editedOf(manualItem(), {});
    const decision = info(classifyChange(change('MODIFY', manualItem(), cleared)));
    expect(decision.fields).toMatchObject({ changedFields: ['notes'] });
  });

  it('its deletion names it with the same null HealthKit identity', () => {
    const decision = info(classifyChange(change('MODIFY', manualItem(), softDeletedOf(manualItem()))));
    expect(decision.fields).toStrictEqual({
      ...manualIdentity,
      previousValue: 72.4,
      requestId: 'req-delete',
      ...POSITION,
    });
  });

  it('a row of the batch must still name its HealthKit origin', () => {
    const unnamed = statsItem({ externalId: null });
    expect(() => classifyChange(change('MODIFY', unnamed, softDeletedOf(unnamed)))).toThrow(
      /externalId is missing or not a string/,
    );
  });

  it('a reading marker, written or removed, is no event', () => {
    for (const decision of [
      classifyChange(change('INSERT', undefined, readingMarker())),
      classifyChange(change('REMOVE', readingMarker(), undefined)),
    ]) {
      expect(decision).toEqual({ level: 'none', reason: 'reading-marker' });
    }
  });
});

describe('nothing is logged for new rows or for samples', () => {
  it('a batch INSERT is no event (the ingest summary counts it)', () => {
    expect(classifyChange(change('INSERT', undefined, statsItem()))).toEqual({
      level: 'none',
      reason: 'insert',
    });
  });

  it('a batch MODIFY of a sample (never expected: samples are write-once) is no event', () => {
    expect(classifyChange(change('MODIFY', sampleItem(), repostOf(sampleItem(), 99)))).toEqual({
      level: 'none',
      reason: 'sample-rewrite',
    });
  });
});

describe('measurement.value.updated: an edit through the row API', () => {
  it('names the user-visible attributes that changed, not the bookkeeping ones', () => {
    const decision = info(
      classifyChange(
        change(
          'MODIFY',
          statsItem(),
          editedOf(statsItem(), { value: 320, measuredAt: '2026-05-23T22:30:00.000Z' }),
        ),
      ),
    );
    expect(decision.message).toBe('measurement.value.updated');
    expect(decision.fields).toStrictEqual({
      ...identity,
      previousValue: 300,
      value: 320,
      changedFields: ['measuredAt', 'value'],
      requestId: 'req-edit',
      updatedAt: '2026-05-24T13:00:00.000Z',
      ...POSITION,
    });
  });

  it('works the same for a sample', () => {
    const decision = info(
      classifyChange(change('MODIFY', sampleItem(), editedOf(sampleItem(), { value: 66 }))),
    );
    expect(decision.fields).toMatchObject({
      type: 'PULSE',
      previousValue: 64,
      value: 66,
      changedFields: ['value'],
    });
  });

  it('an edit that changed nothing the user sees is a DEBUG line only', () => {
    const decision = classifyChange(change('MODIFY', statsItem(), editedOf(statsItem(), {})));
    expect(decision).toMatchObject({ level: 'debug', message: 'measurement.value.update-unchanged' });
  });
});

describe('measurement.deleted: a soft delete through the row API, or a removal', () => {
  it('a soft delete names the row, its last value and the deleting request', () => {
    const decision = info(classifyChange(change('MODIFY', statsItem(), softDeletedOf(statsItem()))));
    expect(decision.message).toBe('measurement.deleted');
    expect(decision.fields).toStrictEqual({
      ...identity,
      previousValue: 300,
      requestId: 'req-delete',
      ...POSITION,
    });
  });

  it('a REMOVE (outside the row API) has no known request: requestId null', () => {
    const decision = info(classifyChange(change('REMOVE', statsItem(), undefined)));
    expect(decision.fields).toStrictEqual({ ...identity, previousValue: 300, requestId: null, ...POSITION });
  });

  it('deleting or removing a row that was already soft-deleted is a DEBUG line only', () => {
    const deleted = softDeletedOf(statsItem());
    expect(classifyChange(change('MODIFY', deleted, { ...deleted, requestId: 'req-2' }))).toMatchObject({
      level: 'debug',
      message: 'measurement.already-deleted',
    });
    expect(classifyChange(change('REMOVE', deleted, undefined))).toMatchObject({
      level: 'debug',
      message: 'measurement.already-deleted',
    });
  });
});

describe('a record it cannot understand throws (the handler reports it as a batch item failure)', () => {
  it.each<[string, () => ReturnType<typeof change>, RegExp]>([
    [
      'a MODIFY without its old image',
      () => change('MODIFY', undefined, repostOf(statsItem(), 5300)),
      /OldImage is missing/,
    ],
    ['a MODIFY without its new image', () => change('MODIFY', statsItem(), undefined), /NewImage is missing/],
    ['a REMOVE without its old image', () => change('REMOVE', undefined, undefined), /OldImage is missing/],
    [
      'a non-numeric new value',
      () => change('MODIFY', statsItem(), repostOf(statsItem(), 'lots' as unknown as number)),
      /NewImage.value/,
    ],
    [
      'a non-numeric old value',
      () => change('MODIFY', statsItem({ value: '300' }), repostOf(statsItem(), 5300)),
      /OldImage.value/,
    ],
    [
      'an unknown writer',
      () => change('MODIFY', statsItem(), { ...statsItem(), writer: 'script' }),
      /writer/,
    ],
    [
      'no writer at all',
      () => change('MODIFY', statsItem(), { ...statsItem(), writer: undefined }),
      /writer/,
    ],
    [
      'a missing identity attribute',
      () => change('MODIFY', statsItem(), { ...repostOf(statsItem(), 5300), userId: undefined }),
      /NewImage.userId/,
    ],
    [
      'a missing requestId on an overwrite',
      () => change('MODIFY', statsItem(), { ...repostOf(statsItem(), 5300), requestId: '' }),
      /NewImage.requestId/,
    ],
    [
      'a soft delete without requestId',
      () => change('MODIFY', statsItem(), { ...softDeletedOf(statsItem()), requestId: undefined }),
      /NewImage.requestId/,
    ],
  ])('%s', (_name, build, message) => {
    expect(() => classifyChange(build())).toThrow(UnreadableChangeError);
    expect(() => classifyChange(build())).toThrow(message);
  });

  it('the error names the attribute, never its value', () => {
    expect(() =>
      classifyChange(
        change('MODIFY', statsItem(), repostOf(statsItem(), 'secret-72.4' as unknown as number)),
      ),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });
});

describe('changedAttributes and difference', () => {
  it('ignores pk, updatedAt, writer, requestId and the index attributes; sorts the rest', () => {
    const old = statsItem();
    const changed = {
      ...old,
      updatedAt: 'x',
      writer: 'edit',
      requestId: 'y',
      gsiUser: 'z',
      gsiUserType: 'z',
      gsiUserExternalId: undefined,
      valueMax: 9,
      clientUnit: 'count',
    };
    expect(changedAttributes(old, changed)).toEqual(['clientUnit', 'valueMax']);
  });

  it('an attribute that appears or disappears counts as changed', () => {
    expect(changedAttributes({ value: 1 }, { value: 1, sleepStage: 'deep' })).toEqual(['sleepStage']);
    expect(changedAttributes({ value: 1, deviceType: 'watch' }, { value: 1 })).toEqual(['deviceType']);
  });

  it.each([
    [300, 5300, 5000],
    [5300, 300, -5000],
    [0.1, 0.3, 0.2],
    [72.4, 72.1, -0.3],
    [300, 300, 0],
  ])('difference(%p, %p) is %p', (previous, value, expected) => {
    expect(difference(previous, value)).toBe(expected);
  });
});
