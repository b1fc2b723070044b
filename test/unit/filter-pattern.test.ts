import { aggregateStreamSource } from '../../definitions/aggregate-stream';
import { auditStreamSource } from '../../definitions/audit-stream';
import {
  matchesAnyFilterPattern,
  matchesFilterPattern,
  UnsupportedFilterPatternError,
} from '../../local/filter-pattern';
import {
  editedOf,
  importedOf,
  lambdaRecord,
  legacyTombstoneOf,
  lifecycleItem,
  manualItem,
  readingMarker,
  repostOf,
  sampleItem,
  softDeletedOf,
  statsItem,
} from './audit-fixtures';

const delivered = (record: unknown) => matchesAnyFilterPattern(record, auditStreamSource.filterPatterns);

describe('the audit stream filter: only the records the audit function turns into events reach it', () => {
  it('a batch INSERT (a new stats row or sample) is filtered out', () => {
    expect(delivered(lambdaRecord('INSERT', undefined, statsItem()))).toBe(false);
    expect(delivered(lambdaRecord('INSERT', undefined, sampleItem()))).toBe(false);
  });

  it('the INSERT of a reading entered by hand is delivered (measurement.created)', () => {
    expect(delivered(lambdaRecord('INSERT', undefined, manualItem()))).toBe(true);
  });

  it('a reading marker never is: not when written, not when removed as its reading moves', () => {
    expect(delivered(lambdaRecord('INSERT', undefined, readingMarker()))).toBe(false);
    expect(delivered(lambdaRecord('REMOVE', readingMarker(), undefined))).toBe(false);
  });

  it('edits, soft deletes and removals of a hand-entered row are delivered', () => {
    expect(delivered(lambdaRecord('MODIFY', manualItem(), editedOf(manualItem(), { notes: 'x' })))).toBe(
      true,
    );
    expect(delivered(lambdaRecord('MODIFY', manualItem(), softDeletedOf(manualItem())))).toBe(true);
    expect(delivered(lambdaRecord('REMOVE', manualItem(), undefined))).toBe(true);
  });

  it('a MODIFY of a sample written by the batch is filtered out', () => {
    expect(delivered(lambdaRecord('MODIFY', sampleItem(), repostOf(sampleItem(), 99)))).toBe(false);
  });

  it('a stats MODIFY written by the batch is delivered (overwrite, resurrection or unchanged re-post)', () => {
    expect(delivered(lambdaRecord('MODIFY', statsItem(), repostOf(statsItem(), 5300)))).toBe(true);
    expect(delivered(lambdaRecord('MODIFY', softDeletedOf(statsItem()), repostOf(statsItem(), 300)))).toBe(
      true,
    );
  });

  it('an edit through the row API is delivered, stats or sample', () => {
    expect(delivered(lambdaRecord('MODIFY', statsItem(), editedOf(statsItem(), { value: 1 })))).toBe(true);
    expect(delivered(lambdaRecord('MODIFY', sampleItem(), editedOf(sampleItem(), { value: 70 })))).toBe(true);
  });

  it('a soft delete through the row API is delivered, stats or sample', () => {
    expect(delivered(lambdaRecord('MODIFY', statsItem(), softDeletedOf(statsItem())))).toBe(true);
    expect(delivered(lambdaRecord('MODIFY', sampleItem(), softDeletedOf(sampleItem())))).toBe(true);
  });

  it('a REMOVE of a row is delivered', () => {
    expect(delivered(lambdaRecord('REMOVE', statsItem(), undefined))).toBe(true);
    expect(delivered(lambdaRecord('REMOVE', sampleItem(), undefined))).toBe(true);
  });

  it('a MODIFY whose new image names no writer is filtered out', () => {
    const { writer: _writer, ...unknownWriter } = repostOf(statsItem(), 5300);
    expect(delivered(lambdaRecord('MODIFY', statsItem(), unknownWriter))).toBe(false);
  });
});

describe('the audit stream filter and the lifecycle tools', () => {
  it('a lifecycle item’s INSERT is delivered (user.imported / user.erased); its removal right after is not', () => {
    expect(delivered(lambdaRecord('INSERT', undefined, lifecycleItem()))).toBe(true);
    expect(delivered(lambdaRecord('INSERT', undefined, lifecycleItem({ event: 'user.erased' })))).toBe(true);
    expect(delivered(lambdaRecord('REMOVE', lifecycleItem(), undefined))).toBe(false);
  });

  it('nothing the import writes is delivered: a restored hand entry, a restored row, a row it overwrote', () => {
    expect(delivered(lambdaRecord('INSERT', undefined, importedOf(manualItem())))).toBe(false);
    expect(delivered(lambdaRecord('INSERT', undefined, importedOf(statsItem())))).toBe(false);
    expect(delivered(lambdaRecord('INSERT', undefined, importedOf(softDeletedOf(statsItem()))))).toBe(false);
    expect(delivered(lambdaRecord('MODIFY', statsItem(), importedOf(statsItem({ value: 9 }))))).toBe(false);
    expect(delivered(lambdaRecord('MODIFY', manualItem(), importedOf(manualItem({ value: 70 }))))).toBe(
      false,
    );
  });

  it('nothing the erasure writes is delivered: the bare item that replaces a row, its removal', () => {
    for (const row of [
      statsItem(),
      manualItem(),
      softDeletedOf(sampleItem()),
      legacyTombstoneOf(statsItem()),
    ]) {
      const erasing = { pk: row.pk, kind: 'erasing' };
      expect(delivered(lambdaRecord('MODIFY', row, erasing))).toBe(false);
      expect(delivered(lambdaRecord('REMOVE', erasing, undefined))).toBe(false);
    }
    const marker = readingMarker();
    expect(delivered(lambdaRecord('MODIFY', marker, { pk: marker.pk, kind: 'erasing' }))).toBe(false);
  });
});

describe('the daily-aggregate stream filter and soft deletes, imports and erasures', () => {
  const toAggregates = (record: unknown) =>
    matchesAnyFilterPattern(record, aggregateStreamSource.filterPatterns);

  it('a soft delete of a dense row reaches the aggregate function, though its tombstone has no instant or value', () => {
    const pulse = sampleItem();
    expect(softDeletedOf(pulse)).not.toHaveProperty('measuredAt');
    expect(toAggregates(lambdaRecord('MODIFY', pulse, softDeletedOf(pulse)))).toBe(true);
  });

  it('what the import writes reaches it (the aggregate filter does not look at the writer)', () => {
    expect(toAggregates(lambdaRecord('INSERT', undefined, importedOf(sampleItem())))).toBe(true);
  });

  it('the erasure does not: neither the bare item nor its removal names a type or a row kind', () => {
    const erasing = { pk: sampleItem().pk, kind: 'erasing' };
    expect(toAggregates(lambdaRecord('MODIFY', sampleItem(), erasing))).toBe(false);
    expect(toAggregates(lambdaRecord('REMOVE', erasing, undefined))).toBe(false);
    expect(toAggregates(lambdaRecord('INSERT', undefined, lifecycleItem()))).toBe(false);
  });
});

describe('the matcher: the subset of Lambda event filtering the definitions use', () => {
  const pattern = { eventName: ['MODIFY'], dynamodb: { NewImage: { writer: { S: ['edit', 'delete'] } } } };

  it('every key of a pattern must match; the strings of an array are alternatives', () => {
    const record = (eventName: string, writer: string) => ({
      eventName,
      dynamodb: { NewImage: { writer: { S: writer } } },
    });
    expect(matchesFilterPattern(record('MODIFY', 'edit'), pattern)).toBe(true);
    expect(matchesFilterPattern(record('MODIFY', 'delete'), pattern)).toBe(true);
    expect(matchesFilterPattern(record('MODIFY', 'batch'), pattern)).toBe(false);
    expect(matchesFilterPattern(record('INSERT', 'edit'), pattern)).toBe(false);
  });

  it('a key the record lacks, or holds with another type, does not match', () => {
    expect(matchesFilterPattern({ eventName: 'MODIFY' }, pattern)).toBe(false);
    expect(
      matchesFilterPattern({ eventName: 'MODIFY', dynamodb: { NewImage: { writer: { N: '1' } } } }, pattern),
    ).toBe(false);
    expect(matchesFilterPattern({ eventName: ['MODIFY'], dynamodb: 'x' }, pattern)).toBe(false);
    expect(matchesFilterPattern(null, pattern)).toBe(false);
  });

  it('a record value that is an array matches when any element does', () => {
    expect(matchesFilterPattern({ tags: ['a', 'b'] }, { tags: ['b'] })).toBe(true);
    expect(matchesFilterPattern({ tags: ['a', 'c'] }, { tags: ['b'] })).toBe(false);
  });

  it('patterns are OR-ed; no patterns at all let every record through, as on Lambda', () => {
    expect(matchesAnyFilterPattern({ eventName: 'REMOVE' }, [pattern, { eventName: ['REMOVE'] }])).toBe(true);
    expect(matchesAnyFilterPattern({ eventName: 'INSERT' }, [pattern, { eventName: ['REMOVE'] }])).toBe(
      false,
    );
    expect(matchesAnyFilterPattern({ eventName: 'INSERT' }, [])).toBe(true);
  });

  it('rejects rules outside the subset instead of matching them differently from Lambda', () => {
    expect(() => matchesFilterPattern({ a: 'x' }, { a: [{ prefix: 'x' }] } as any)).toThrow(
      UnsupportedFilterPatternError,
    );
    expect(() => matchesFilterPattern({ a: 1 }, { a: [1] } as any)).toThrow(UnsupportedFilterPatternError);
    expect(() => matchesFilterPattern({ a: 'x' }, { a: 'x' } as any)).toThrow(UnsupportedFilterPatternError);
  });
});
