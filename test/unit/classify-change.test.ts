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
  USER_REF,
  change,
  editedOf,
  importedOf,
  legacyTombstoneOf,
  lifecycleItem,
  manualItem,
  readingMarker,
  repostOf,
  sampleItem,
  softDeletedOf,
  statsItem,
} from './audit-fixtures';

/** What an event says about the row; the user is `decision.userId`, which the handler turns into `userRef`. */
const identity = {
  type: 'ACTIVITY_STEPS',
  hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
  externalId: STEPS_EXTERNAL_ID,
  id: STEPS_ID,
};

function info(decision: AuditDecision) {
  if (decision.level !== 'info') throw new Error(`expected an INFO event, got ${decision.level}`);
  return decision;
}

/** An event about a row: it names whose row (for the handler) apart from its fields. */
function rowEvent(decision: AuditDecision) {
  const event = info(decision);
  if (!('userId' in event)) throw new Error('expected an event about a row');
  return event;
}

describe('measurement.batch.stats-overwrite: a batch re-post of a stats row whose value changed', () => {
  it('300 → 5300 carries exactly the fields of audit-events.md: delta 5000, increase, changedFields, the writing request', () => {
    const decision = rowEvent(classifyChange(change('MODIFY', statsItem(), repostOf(statsItem(), 5300))));
    expect(decision.message).toBe('measurement.batch.stats-overwrite');
    expect(decision.userId).toBe(USER);
    expect(decision.fields).toStrictEqual({
      ...identity,
      previousValue: 300,
      value: 5300,
      delta: 5000,
      direction: 'increase',
      changedFields: ['value'],
      overwroteEdit: false,
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

  it('a re-post of a soft-deleted row brings it back from its tombstone: resurrected, no previous value, every field it shows again', () => {
    const deleted = softDeletedOf(statsItem());
    expect(deleted).not.toHaveProperty('value');
    const back = repostOf(statsItem(), 4000);
    const decision = info(classifyChange(change('MODIFY', deleted, back)));
    expect(decision.message).toBe('measurement.batch.stats-overwrite');
    expect(decision.fields).toStrictEqual({
      ...identity,
      previousValue: null,
      value: 4000,
      delta: null,
      direction: 'increase',
      changedFields: ['hkIdentifier', 'measuredAt', 'source', 'startDate', 'unit', 'value'],
      overwroteEdit: false,
      unit: 'steps',
      measuredAt: '2026-05-23T22:00:00.000Z',
      previousUpdatedAt: '2026-05-24T12:00:00.000Z',
      updatedAt: '2026-05-24T20:00:00.000Z',
      requestId: 'req-evening',
      resurrected: true,
      ...POSITION,
    });
  });

  it('a re-post of a row deleted before deletes stripped it still compares with its old value', () => {
    const deleted = legacyTombstoneOf(statsItem());
    const decision = info(classifyChange(change('MODIFY', deleted, repostOf(deleted, 4000))));
    expect(decision.fields).toMatchObject({
      previousValue: 300,
      value: 4000,
      delta: 3700,
      direction: 'increase',
      changedFields: ['value'],
      resurrected: true,
      previousUpdatedAt: '2026-05-24T12:00:00.000Z',
      requestId: 'req-evening',
    });
  });

  it('a resurrection with the value the row had before is an overwrite with delta 0, counted as an increase', () => {
    const deleted = legacyTombstoneOf(statsItem());
    const decision = info(classifyChange(change('MODIFY', deleted, repostOf(deleted, 300))));
    expect(decision.fields).toMatchObject({
      delta: 0,
      direction: 'increase',
      changedFields: [],
      resurrected: true,
    });
  });
});

describe('measurement.batch.stats-overwrite: a re-post that changed anything else a user sees', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['measuredAt (the end of the period)', {}, { measuredAt: '2026-05-24T21:59:59.000Z' }, ['measuredAt']],
    ['startDate', {}, { startDate: '2026-05-23T23:00:00.000Z' }, ['startDate']],
    ['the spread', { valueMin: 58, valueMax: 90 }, { valueMin: 55, valueMax: 90 }, ['valueMin']],
    ['the source', {}, { source: 'MANUAL' }, ['source']],
    ['the device', { deviceType: 'phone' }, { deviceType: 'watch' }, ['deviceType']],
    ['a device that appears', {}, { deviceType: 'watch' }, ['deviceType']],
    ['the source version', {}, { externalSourceVersion: '17.5' }, ['externalSourceVersion']],
    ['the sleep stage', { sleepStage: 'CORE' }, { sleepStage: 'DEEP' }, ['sleepStage']],
    [
      'the rhythm classification',
      { rhythmClassification: 'SINUS_RHYTHM' },
      { rhythmClassification: 'ATRIAL_FIBRILLATION' },
      ['rhythmClassification'],
    ],
    ['a note the re-post dropped', { notes: 'ran a half marathon' }, {}, ['notes']],
    ['a glucose context the re-post dropped', { glucoseContext: 'FASTING' }, {}, ['glucoseContext']],
    [
      'several at once, sorted',
      {},
      { source: 'MANUAL', measuredAt: '2026-05-24T21:59:59.000Z', deviceType: 'watch' },
      ['deviceType', 'measuredAt', 'source'],
    ],
  ])(
    '%s: an overwrite with direction unchanged, delta 0 and the changed fields',
    (_name, stored, changes, changedFields) => {
      const old = statsItem(stored);
      const decision = info(classifyChange(change('MODIFY', old, repostOf(old, 300, changes))));
      expect(decision.message).toBe('measurement.batch.stats-overwrite');
      expect(decision.fields).toMatchObject({
        previousValue: 300,
        value: 300,
        delta: 0,
        direction: 'unchanged',
        changedFields,
        overwroteEdit: false,
        resurrected: false,
      });
      expect(JSON.stringify(decision)).not.toContain('half marathon');
    },
  );

  it('a value change together with other fields names them all', () => {
    const decision = info(
      classifyChange(
        change(
          'MODIFY',
          statsItem(),
          repostOf(statsItem(), 5300, { measuredAt: '2026-05-24T21:59:59.000Z' }),
        ),
      ),
    );
    expect(decision.fields).toMatchObject({ direction: 'increase', changedFields: ['measuredAt', 'value'] });
  });

  it('a resurrection that also changed other fields names them, value unchanged: still an increase', () => {
    const deleted = legacyTombstoneOf(statsItem());
    const decision = info(
      classifyChange(change('MODIFY', deleted, repostOf(deleted, 300, { source: 'MANUAL' }))),
    );
    expect(decision.fields).toMatchObject({
      delta: 0,
      direction: 'increase',
      changedFields: ['source'],
      resurrected: true,
    });
  });
});

describe('overwroteEdit: the phone re-post replaced a version edited by hand', () => {
  it('a re-post over an edited value is an overwrite with overwroteEdit true', () => {
    const edited = editedOf(statsItem(), { value: 320 });
    const decision = info(classifyChange(change('MODIFY', edited, repostOf(edited, 300))));
    expect(decision.fields).toMatchObject({
      previousValue: 320,
      value: 300,
      delta: -20,
      direction: 'decrease',
      changedFields: ['value'],
      overwroteEdit: true,
      previousUpdatedAt: '2026-05-24T13:00:00.000Z',
    });
  });

  it('a re-post that dropped only the note an edit had added: overwroteEdit, direction unchanged', () => {
    const edited = editedOf(statsItem(), { notes: 'after the run' });
    const decision = info(classifyChange(change('MODIFY', edited, repostOf(edited, 300))));
    expect(decision.fields).toMatchObject({
      direction: 'unchanged',
      changedFields: ['notes'],
      overwroteEdit: true,
    });
    expect(JSON.stringify(decision)).not.toContain('after the run');
  });

  it('a re-post over another re-post, or over a deleted version, did not undo an edit', () => {
    const reposted = repostOf(statsItem(), 5000);
    expect(info(classifyChange(change('MODIFY', reposted, repostOf(reposted, 5300)))).fields).toMatchObject({
      overwroteEdit: false,
    });
    for (const deleted of [
      softDeletedOf(editedOf(statsItem(), { value: 320 })),
      legacyTombstoneOf(editedOf(statsItem(), { value: 320 })),
    ]) {
      expect(
        info(classifyChange(change('MODIFY', deleted, repostOf(statsItem(), 300)))).fields,
      ).toMatchObject({ overwroteEdit: false, resurrected: true });
    }
  });

  it('a row restored by the import counts as edited by hand when the export said so (restoredWriter)', () => {
    const restoredEdit = importedOf(editedOf(statsItem(), { value: 320 }));
    expect(restoredEdit).toMatchObject({ writer: 'import', restoredWriter: 'edit' });
    expect(
      info(classifyChange(change('MODIFY', restoredEdit, repostOf(restoredEdit, 300)))).fields,
    ).toMatchObject({ overwroteEdit: true, previousValue: 320 });
    const restoredBatch = importedOf(statsItem());
    expect(
      info(classifyChange(change('MODIFY', restoredBatch, repostOf(restoredBatch, 5300)))).fields,
    ).toMatchObject({ overwroteEdit: false });
  });
});

describe('a stats re-post that changed nothing a user sees is no audit event, only a DEBUG line', () => {
  it('5300 re-posted as 5300 logs measurement.batch.stats-repost-unchanged at DEBUG', () => {
    const stored = repostOf(statsItem(), 5300);
    const decision = classifyChange(change('MODIFY', stored, { ...stored, requestId: 'req-again' }));
    expect(decision).toStrictEqual({
      level: 'debug',
      message: 'measurement.batch.stats-repost-unchanged',
      userId: USER,
      fields: { ...identity, value: 5300, requestId: 'req-again', ...POSITION },
    });
  });

  it('bookkeeping is no change: createdAt, updatedAt, requestId, writer, the client’s unit string, index keys', () => {
    const stored = statsItem({ clientUnit: 'count' });
    const reposted = repostOf(stored, 300, { clientUnit: 'steps', gsiUserExternalId: 'anything' });
    expect(reposted.createdAt).not.toBe(stored.createdAt);
    const decision = classifyChange(change('MODIFY', stored, reposted));
    expect(decision).toMatchObject({ level: 'debug', message: 'measurement.batch.stats-repost-unchanged' });
  });

  it('an absent attribute and a null one are the same to a user', () => {
    const stored = statsItem();
    const { deviceType: _deviceType, ...withoutDevice } = repostOf(stored, 300);
    expect(stored.deviceType).toBeNull();
    expect(classifyChange(change('MODIFY', stored, withoutDevice))).toMatchObject({ level: 'debug' });
  });

  it('a re-post with the value an edit had set, over that edit, changed nothing either', () => {
    const edited = editedOf(statsItem(), { value: 320 });
    expect(classifyChange(change('MODIFY', edited, repostOf(edited, 320)))).toMatchObject({
      level: 'debug',
      message: 'measurement.batch.stats-repost-unchanged',
    });
  });
});

describe('measurement.created: a reading entered by hand', () => {
  const manualIdentity = {
    type: 'WEIGHT',
    hkIdentifier: null,
    externalId: null,
    id: MANUAL_ID,
  };

  it('its INSERT carries exactly the fields of audit-events.md, with null HealthKit identity', () => {
    const decision = rowEvent(classifyChange(change('INSERT', undefined, manualItem())));
    expect(decision.message).toBe('measurement.created');
    expect(decision.userId).toBe(USER);
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

  it('its tombstone keeps the marker’s address and nothing a user wrote; removing it later is a DEBUG line only', () => {
    const deleted = softDeletedOf(manualItem());
    expect(Object.keys(deleted).sort()).toEqual(
      [
        'pk',
        'userId',
        'kind',
        'id',
        'type',
        'externalId',
        'measuredAt',
        'source',
        'deletedAt',
        'updatedAt',
        'writer',
        'requestId',
      ].sort(),
    );
    expect(classifyChange(change('REMOVE', deleted, undefined))).toStrictEqual({
      level: 'debug',
      message: 'measurement.already-deleted',
      userId: USER,
      fields: { ...manualIdentity, value: null, requestId: null, ...POSITION },
    });
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

  it('what the import writes is no event, new or over an existing row (its one user.imported sums it up)', () => {
    expect(classifyChange(change('INSERT', undefined, importedOf(manualItem())))).toEqual({
      level: 'none',
      reason: 'import',
    });
    expect(classifyChange(change('INSERT', undefined, importedOf(statsItem())))).toEqual({
      level: 'none',
      reason: 'insert',
    });
    expect(classifyChange(change('MODIFY', statsItem(), importedOf(statsItem({ value: 9 }))))).toEqual({
      level: 'none',
      reason: 'import',
    });
  });

  it('the erasure’s bare items are no event, whichever change the stream reports', () => {
    const erasing = { pk: statsItem().pk, kind: 'erasing' };
    for (const decision of [
      classifyChange(change('MODIFY', statsItem(), erasing)),
      classifyChange(change('REMOVE', erasing, undefined)),
    ]) {
      expect(decision).toEqual({ level: 'none', reason: 'erasure' });
    }
  });

  it('a batch re-post that slips into an erasure, over the bare item, is no event and no unreadable record', () => {
    const erasing = { pk: statsItem().pk, kind: 'erasing' };
    expect(classifyChange(change('MODIFY', erasing, repostOf(statsItem(), 5300)))).toEqual({
      level: 'none',
      reason: 'erasure',
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
      fields: { ...identity, hkIdentifier: null, value: null },
    });
    expect(classifyChange(change('REMOVE', deleted, undefined))).toMatchObject({
      level: 'debug',
      message: 'measurement.already-deleted',
      fields: { value: null, requestId: null },
    });
    expect(classifyChange(change('REMOVE', legacyTombstoneOf(statsItem()), undefined))).toMatchObject({
      level: 'debug',
      message: 'measurement.already-deleted',
      fields: { value: 300 },
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
  it('ignores pk, createdAt, updatedAt, writer, requestId, clientUnit, deletedAt and the index attributes; sorts the rest', () => {
    const old = statsItem();
    const changed = {
      ...old,
      createdAt: 'w',
      updatedAt: 'x',
      writer: 'edit',
      requestId: 'y',
      gsiUser: 'z',
      gsiUserType: 'z',
      gsiUserExternalId: undefined,
      deletedAt: 'v',
      valueMax: 9,
      clientUnit: 'count',
      source: 'MANUAL',
    };
    expect(changedAttributes(old, changed)).toEqual(['source', 'valueMax']);
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

describe('user.imported and user.erased: an import or erasure announces itself with a lifecycle item', () => {
  it('its INSERT is the event: the userRef, each count a top-level field, the run’s start and end, the stream position', () => {
    const decision = info(classifyChange(change('INSERT', undefined, lifecycleItem())));
    expect(decision.message).toBe('user.imported');
    expect(decision).not.toHaveProperty('userId');
    expect(decision.fields).toStrictEqual({
      userRef: USER_REF,
      rows: 120,
      deletedRows: 3,
      readingMarkers: 2,
      startedAt: '2026-05-24T20:00:00.000Z',
      endedAt: '2026-05-24T20:00:07.500Z',
      ...POSITION,
    });
  });

  it('an erasure’s counts per table become `<table><Count>` fields', () => {
    const decision = info(
      classifyChange(
        change(
          'INSERT',
          undefined,
          lifecycleItem({
            event: 'user.erased',
            counts: {
              measurements: { rows: 120, readingMarkers: 2 },
              dailyAggregates: { days: 30 },
              requestGuards: 4,
              auditKeys: 1,
            },
          }),
        ),
      ),
    );
    expect(decision.message).toBe('user.erased');
    expect(decision.fields).toMatchObject({
      measurementsRows: 120,
      measurementsReadingMarkers: 2,
      dailyAggregatesDays: 30,
      requestGuards: 4,
      auditKeys: 1,
    });
  });

  it('a user who never had a key (never audited) is named by no userRef: null', () => {
    const { userRef: _userRef, ...unnamed } = lifecycleItem();
    expect(info(classifyChange(change('INSERT', undefined, unnamed))).fields).toMatchObject({
      userRef: null,
    });
  });

  it('its removal right after, or any other change of it, is no event', () => {
    expect(classifyChange(change('REMOVE', lifecycleItem(), undefined))).toEqual({
      level: 'none',
      reason: 'lifecycle-item',
    });
    expect(classifyChange(change('MODIFY', lifecycleItem(), lifecycleItem({ endedAt: 'x' })))).toEqual({
      level: 'none',
      reason: 'lifecycle-item',
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown event', { event: 'user.renamed' }, /NewImage.event/],
    [
      'a user id where the userRef goes',
      { userRef: 'alice@example.com' },
      /NewImage.userRef is not a userRef/,
    ],
    ['a userRef of the wrong length', { userRef: `${USER_REF}x` }, /NewImage.userRef/],
    ['a start that is no instant', { startedAt: 'yesterday evening' }, /NewImage.startedAt/],
    ['no end', { endedAt: undefined }, /NewImage.endedAt/],
    ['a count that is text', { counts: { rows: 'seventy-two kg' } }, /counts/],
    ['a negative count', { counts: { rows: -1 } }, /counts/],
    ['a fractional count', { counts: { rows: 1.5 } }, /counts/],
    ['counts nested twice', { counts: { measurements: { rows: { live: 1 } } } }, /counts/],
    ['a count named like an event field', { counts: { userRef: 1 } }, /counts/],
    ['a count named like a Powertools key', { counts: { message: 1 } }, /counts/],
    ['a count whose name is no camelCase word', { counts: { 'rows of alice': 1 } }, /counts/],
    [
      'two counts flattened onto one name',
      { counts: { measurementsRows: 1, measurements: { rows: 2 } } },
      /counts/,
    ],
    ['counts that are no map', { counts: [1, 2] }, /counts/],
  ])('refuses %s (the record fails; nothing is logged)', (_name, overrides, message) => {
    const build = () => classifyChange(change('INSERT', undefined, lifecycleItem(overrides)));
    expect(build).toThrow(UnreadableChangeError);
    expect(build).toThrow(message);
    // The error names the attribute, never what it holds.
    expect(build).toThrow(expect.objectContaining({ message: expect.not.stringMatching(/alice|seventy/) }));
  });
});

describe('no decision puts a user id into an event’s fields', () => {
  it('every event about a row names its user beside the fields, and its fields hold no userId', () => {
    const edited = editedOf(statsItem(), { value: 320 });
    const decisions = [
      classifyChange(change('MODIFY', statsItem(), repostOf(statsItem(), 5300))),
      classifyChange(change('MODIFY', statsItem(), repostOf(statsItem(), 300))),
      classifyChange(change('MODIFY', softDeletedOf(statsItem()), repostOf(statsItem(), 300))),
      classifyChange(change('MODIFY', statsItem(), edited)),
      classifyChange(change('MODIFY', statsItem(), editedOf(statsItem(), {}))),
      classifyChange(change('MODIFY', statsItem(), softDeletedOf(statsItem()))),
      classifyChange(change('REMOVE', statsItem(), undefined)),
      classifyChange(change('REMOVE', softDeletedOf(statsItem()), undefined)),
      classifyChange(change('INSERT', undefined, manualItem())),
    ];
    for (const decision of decisions) {
      expect(decision).toMatchObject({ userId: USER });
      if (decision.level === 'none') throw new Error('expected an event');
      expect(decision.fields).not.toHaveProperty('userId');
      expect(JSON.stringify(decision.fields)).not.toContain(USER);
    }
  });
});
