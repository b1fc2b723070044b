import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillGeneratedTables } from '../../bench/generated-blocks';
import { markdownTable } from '../../bench/markdown-table';
import { readResults } from '../../bench/results';
import { renderTables } from '../../bench/tables';

/**
 * docs/benchmarks.md is written by hand around generated tables: the benchmark fills the blocks
 * between `<!-- bench:table <name> -->` and `<!-- /bench:table -->` from its results and leaves
 * every other line as a person wrote it.
 */

const document = [
  '# Benchmarks',
  '',
  'Prose that mentions a `<!-- bench:table x -->` marker in passing, written by hand.',
  '',
  '<!-- bench:table latency -->',
  '',
  '| stale |',
  '| ----- |',
  '| 1     |',
  '',
  '<!-- /bench:table -->',
  '',
  'What the latency figures mean,   with the spacing its author chose.',
  '',
  '<!-- bench:table series -->',
  '<!-- /bench:table -->',
  '',
  '* a list the generator does not touch',
  '',
].join('\n');

const tables = { latency: '| ms |\n| -- |\n| 42 |', series: '| days |\n| ---- |\n| 3650 |' };

/** The document's lines outside the generated blocks, markers included. */
function handWritten(markdown: string): string[] {
  let inside = false;
  return markdown.split('\n').filter((line) => {
    if (/^<!-- bench:table /.test(line)) return (inside = true);
    if (/^<!-- \/bench:table -->$/.test(line)) return !(inside = false);
    return !inside;
  });
}

describe('filling the generated blocks of the benchmark document', () => {
  test('each block holds its table, set off by blank lines, and what it held before is gone', () => {
    const filled = fillGeneratedTables(document, tables);
    expect(filled).toContain(`<!-- bench:table latency -->\n\n${tables.latency}\n\n<!-- /bench:table -->`);
    expect(filled).toContain(`<!-- bench:table series -->\n\n${tables.series}\n\n<!-- /bench:table -->`);
    expect(filled).not.toContain('stale');
  });

  test('every line outside the blocks stays as a person wrote it, byte for byte', () => {
    const filled = fillGeneratedTables(document, tables);
    expect(handWritten(filled)).toEqual(handWritten(document));
    expect(filled.endsWith('* a list the generator does not touch\n')).toBe(true);
  });

  test('filling a filled document again changes nothing', () => {
    const once = fillGeneratedTables(document, tables);
    expect(fillGeneratedTables(once, tables)).toBe(once);
  });

  test('a marker naming no table the benchmark renders is an error that names it', () => {
    expect(() => fillGeneratedTables(document, { latency: tables.latency })).toThrow(
      /line 15: the document has a block "series", but the benchmark renders no such table/,
    );
  });

  test('a table with no marker in the document is an error that names it', () => {
    expect(() => fillGeneratedTables(document, { ...tables, lifecycle: '| s |\n| - |\n| 1 |' })).toThrow(
      /the document has no block for "lifecycle"/,
    );
  });

  test.each([
    ['a block never closed', '<!-- bench:table latency -->\ntext\n', /block "latency" is never closed/],
    [
      'a closing marker with no block open',
      'text\n<!-- /bench:table -->\n',
      /closing marker with no block open/,
    ],
    [
      'a block inside a block',
      '<!-- bench:table latency -->\n<!-- bench:table series -->\n<!-- /bench:table -->\n<!-- /bench:table -->\n',
      /block "series" opens inside block "latency"/,
    ],
    [
      'the same block twice',
      '<!-- bench:table latency -->\n<!-- /bench:table -->\n<!-- bench:table latency -->\n<!-- /bench:table -->\n',
      /block "latency" appears twice/,
    ],
    [
      'a marker it cannot read',
      '<!-- bench:table latency-->\n<!-- /bench:table -->\n',
      /a marker it cannot read/,
    ],
  ])('%s is an error', (_case, markdown, message) => {
    expect(() => fillGeneratedTables(markdown, { latency: tables.latency })).toThrow(message);
  });
});

describe('a generated table is laid out as Prettier lays it out', () => {
  test('columns padded to their widest cell, at least three wide, numbers right-aligned', () => {
    expect(
      markdownTable(
        ['', { title: 'ms', align: 'right' }],
        [
          ['handler', '421 (361–490)'],
          ['µs', '5'],
        ],
      ),
    ).toBe(
      [
        '|         |            ms |',
        '| ------- | ------------: |',
        '| handler | 421 (361–490) |',
        '| µs      |             5 |',
      ].join('\n'),
    );
  });

  test('a pipe inside a cell is escaped, and a row of the wrong width is refused', () => {
    expect(markdownTable(['a'], [['x | y']])).toContain('| x \\| y |');
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow(/1 cells for 2 columns/);
  });
});

describe('the committed benchmark document', () => {
  const root = join(__dirname, '..', '..');
  const committed = readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8');
  const results = readResults(join(root, 'docs', 'benchmarks', 'results.json'));

  test('shows, in its generated blocks, the tables of the committed results (npm run bench -- --from)', () => {
    expect(fillGeneratedTables(committed, renderTables(results))).toBe(committed);
  });
});
