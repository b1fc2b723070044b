import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { savedQueries } from '../../lib/audit-queries';
import { queryBlock, renderOperationsDocument } from '../../scripts/operations-document';

const committedPath = path.join(__dirname, '..', '..', 'docs', 'operations.md');
const committed = readFileSync(committedPath, 'utf8');

describe('docs/operations.md shows the saved queries the stack deploys', () => {
  test('is what `npm run docs` generates from lib/audit-queries.ts (run it when this fails)', () => {
    expect(committed).toEqual(renderOperationsDocument(committed));
  });

  test('is as `npm run format` leaves it, so the generator and Prettier never rewrite each other', () => {
    const prettier = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'prettier');
    expect(() => execFileSync(prettier, ['--check', committedPath], { stdio: 'pipe' })).not.toThrow();
  });

  test.each(savedQueries.map((query) => [query.name, query] as const))(
    '“%s” is shown once, its text verbatim in a code block',
    (_name, query) => {
      expect(committed.split(`<!-- query: ${query.id} -->`)).toHaveLength(2);
      expect(committed).toContain('```\n' + query.queryString + '\n```');
    },
  );

  const document = (...blocks: string[]) =>
    ['# Ops', '<!-- saved-queries:begin -->', ...blocks, '<!-- saved-queries:end -->', ''].join('\n\n');
  const [first, second] = savedQueries as [(typeof savedQueries)[0], (typeof savedQueries)[0]];

  test('a block is rewritten from the code, and the prose around it is kept', () => {
    const stale = `<!-- query: ${first.id} -->\nfilter old text\n<!-- /query -->`;
    const rendered = renderOperationsDocument(document('## One', stale, 'A note.'), [first]);
    expect(rendered).toEqual(document('## One', queryBlock(first), 'A note.'));
    expect(renderOperationsDocument(rendered, [first])).toEqual(rendered);
  });

  test('a saved query without a block gets one, with its name as heading, before the end marker', () => {
    const rendered = renderOperationsDocument(document(queryBlock(first)), [first, second]);
    const heading = second.name.slice(second.name.indexOf('/') + 1);
    expect(rendered).toContain(`### ${heading}\n\n${queryBlock(second)}\n\n<!-- saved-queries:end -->`);
  });

  test('a block naming a query the code no longer defines, or a missing marker, is an error', () => {
    expect(() => renderOperationsDocument(document(queryBlock(first)), [second])).toThrow(first.id);
    expect(() => renderOperationsDocument('# Ops\n', [first])).toThrow('saved-queries:begin');
  });
});
