import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { exportRowOf, type ExportRow } from '../../functions/user-data/export-format';
import { decideRestore, validateExport } from '../../functions/user-data/import-user';
import { numberedLines, type NumberedLine } from '../../functions/user-data/numbered-lines';
import { storedItem } from '../support/stored-items';

/**
 * The import's decisions (docs/data-lifecycle.md, "Import"): the first pass that refuses a bad
 * file with its line number before anything is written, and what happens to each row given what
 * the table holds.
 */

const row = (externalId: string, overrides: Parameters<typeof storedItem>[0] = {}): ExportRow =>
  exportRowOf(storedItem({ userId: 'alice', externalId, ...overrides }));
const header = (rows: number, deletedRows = 0) =>
  JSON.stringify({
    format: 'health-ingest-export',
    version: 1,
    userId: 'alice',
    exportedAt: '2026-11-20T12:00:00.000Z',
    rows,
    deletedRows,
  });
const end = (rows: number, deletedRows = 0) => JSON.stringify({ end: true, rows, deletedRows });
const good = () => [header(2), JSON.stringify(row('hk-1')), JSON.stringify(row('hk-2')), end(2)];

async function* linesOf(texts: readonly string[]): AsyncGenerator<NumberedLine> {
  for (const [i, text] of texts.entries()) yield { number: i + 1, text };
}
const validate = (texts: readonly string[], skipInvalid = false) =>
  validateExport(linesOf(texts), { skipInvalid });

describe('the first pass: a bad file is refused with the line number, before any write', () => {
  test('a good file passes with its header', async () => {
    expect(await validate(good())).toMatchObject({ refused: false, header: { userId: 'alice', rows: 2 } });
  });

  test.each<[string, (lines: string[]) => string[], number, RegExp]>([
    ['no end line', (lines) => lines.slice(0, 3), 3, /without its end line: it is truncated/],
    [
      'cut inside the last row',
      (lines) => [lines[0]!, lines[1]!, lines[2]!.slice(0, 30)],
      3,
      /ends at line 3/,
    ],
    ['an empty file', () => [], 1, /empty/],
    [
      'another format',
      (lines) => [lines[0]!.replace('health-ingest-export', 'other'), ...lines.slice(1)],
      1,
      /Not the header/,
    ],
    [
      'a newer version',
      (lines) => [lines[0]!.replace('"version":1', '"version":2'), ...lines.slice(1)],
      1,
      /version 2 is not supported/,
    ],
    [
      'a header naming no usable user',
      (lines) => [lines[0]!.replace('"alice"', '"a#b"'), ...lines.slice(1)],
      1,
      /userId/,
    ],
    [
      'a row that is not a row',
      (lines) => [lines[0]!, '{"id":"x"}', ...lines.slice(2)],
      2,
      /Not a valid row/,
    ],
    [
      'a line that is not JSON in the middle',
      (lines) => [lines[0]!, 'not json', ...lines.slice(2)],
      2,
      /^Not a JSON value$/,
    ],
    [
      'rows out of key order',
      (lines) => [lines[0]!, lines[2]!, lines[1]!, lines[3]!],
      3,
      /out of the export’s key order/,
    ],
    ['a row repeated', (lines) => [lines[0]!, lines[1]!, lines[1]!, lines[3]!], 3, /A row repeated/],
    ['a line after the end', (lines) => [...lines, lines[1]!], 5, /after the end line/],
    [
      'end and header disagree',
      (lines) => [...lines.slice(0, 3), end(3)],
      4,
      /counts differ from the header/,
    ],
    [
      'fewer rows than the header says',
      (lines) => [header(3), lines[1]!, lines[2]!, end(3)],
      4,
      /2 row line\(s\); its header says 3/,
    ],
    [
      'deleted rows miscounted',
      (lines) => [header(2, 1), lines[1]!, lines[2]!, end(2, 1)],
      4,
      /0 deleted row\(s\); its header says 1/,
    ],
  ])('%s', async (_, change, line, reason) => {
    const result = await validate(change(good()));
    expect(result).toMatchObject({ refused: true, line });
    expect((result as { reason: string }).reason).toMatch(reason);
  });

  test('a line that is not UTF-8 is named as such', async () => {
    async function* bytes() {
      yield Buffer.from(`${good()[0]}\n`);
      yield Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    }
    expect(await validateExport(numberedLines(bytes()), { skipInvalid: false })).toEqual({
      refused: true,
      line: 2,
      reason: 'Not UTF-8 text',
    });
  });

  test('refusals never quote the file: a note that breaks the JSON is not echoed', async () => {
    const broken = JSON.stringify(row('hk-1'))
      .replace('"clientUnit"', '"notes":"my diagnosis", "clientUnit')
      .slice(0, -1);
    const result = await validate([header(1), broken, end(1)]);
    expect(JSON.stringify(result)).not.toContain('diagnosis');
  });

  test('--skip-invalid: invalid row lines are skipped and remembered, the counts still checked', async () => {
    const lines = [header(3), JSON.stringify(row('hk-1')), '{"id":"x"}', JSON.stringify(row('hk-3')), end(3)];
    const result = await validate(lines, true);
    expect(result).toMatchObject({ refused: false });
    expect([...(result as { invalidLines: ReadonlySet<number> }).invalidLines]).toEqual([3]);
    // The header, the end line and the counts are never skipped.
    expect(await validate([header(3), ...lines.slice(1, 4)], true)).toMatchObject({ refused: true, line: 4 });
  });
});

describe('what the import does with a row, given what the table holds', () => {
  const stored = (overrides: Parameters<typeof storedItem>[0] = {}) =>
    storedItem({ userId: 'alice', externalId: 'hk-1', ...overrides }) as StoredMeasurement;

  test('nothing there: written', () => {
    expect(decideRestore(row('hk-1'), {}, false)).toEqual({ row: 'write', marker: 'none' });
  });

  test('stored exactly so (by the service, or by an earlier import): left, no write', () => {
    expect(decideRestore(row('hk-1'), { existing: stored() }, false)).toEqual({
      row: 'identical',
      marker: 'none',
    });
    const imported = { ...stored(), writer: 'import', restoredWriter: 'batch' } as StoredMeasurement;
    expect(decideRestore(row('hk-1'), { existing: imported }, false)).toMatchObject({ row: 'identical' });
  });

  test('stored differently: a conflict, left; with overwrite, written over', () => {
    const edited = stored({ value: 99, writer: 'edit' });
    expect(decideRestore(row('hk-1'), { existing: edited }, false)).toEqual({
      row: 'conflict',
      marker: 'none',
    });
    expect(decideRestore(row('hk-1'), { existing: edited }, true)).toEqual({
      row: 'overwrite',
      marker: 'none',
    });
  });

  test('a hand-entered row: its marker written when missing, kept when it is this row’s', () => {
    expect(decideRestore(row('hk-1'), { marker: 'missing' }, false)).toEqual({
      row: 'write',
      marker: 'write',
    });
    expect(decideRestore(row('hk-1'), { existing: stored(), marker: 'this-row' }, false)).toEqual({
      row: 'identical',
      marker: 'keep',
    });
    expect(decideRestore(row('hk-1'), { existing: stored(), marker: 'missing' }, false)).toEqual({
      row: 'identical',
      marker: 'write',
    });
  });

  test('its instant held by another reading: a conflict even with overwrite (two readings at one instant are what the marker forbids)', () => {
    expect(decideRestore(row('hk-1'), { marker: 'other-row' }, true)).toEqual({
      row: 'conflict',
      marker: 'none',
    });
  });
});

describe('numberedLines: the lines of a byte stream', () => {
  async function all(chunks: (string | number[])[]) {
    async function* bytes() {
      for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    }
    const lines = [];
    for await (const line of numberedLines(bytes())) lines.push(line);
    return lines;
  }

  test('\\n and \\r\\n, lines split across chunks, a last line without a break, no empty line after a final break', async () => {
    expect(await all(['a\r\nb', 'c\n', 'ü'.slice(0, 1), '\nlast'])).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'bc' },
      { number: 3, text: 'ü' },
      { number: 4, text: 'last' },
    ]);
    expect(await all(['one\n'])).toEqual([{ number: 1, text: 'one' }]);
  });

  test('a character split between two chunks is one character; bytes that are not UTF-8 are reported', async () => {
    const euro = [...Buffer.from('€')];
    expect(
      await all([
        [...Buffer.from('x'), euro[0]!],
        [euro[1]!, euro[2]!, 0x0a],
      ]),
    ).toEqual([{ number: 1, text: 'x€' }]);
    expect(await all([[0x61, 0xc3, 0x0a, 0x62]])).toEqual([
      { number: 1, notUtf8: true },
      { number: 2, text: 'b' },
    ]);
  });
});
