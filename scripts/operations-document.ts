import { serviceFunctions } from '../definitions/service-functions';
import { savedQueries, type SavedQuery } from '../lib/audit-queries';

/**
 * docs/operations.md shows every saved query exactly as the stack deploys it: the blocks between
 * `<!-- query: <id> -->` and `<!-- /query -->` are generated from `lib/audit-queries.ts` (name,
 * log group, question, text); the headings and notes around them are written by hand.
 * `npm run docs` rewrites the file; test/unit/operations-document.test.ts fails when the committed
 * file differs from what this renders.
 */

const blockPattern = /<!-- query: ([\w-]+) -->\n[\s\S]*?<!-- \/query -->/g;
const beginMarker = '<!-- saved-queries:begin -->';
const endMarker = '<!-- saved-queries:end -->';

/** The generated part of one query: where the console shows it, the question, the text. */
export function queryBlock(query: SavedQuery): string {
  const { serviceName } = serviceFunctions[query.logGroupOf];
  return [
    `<!-- query: ${query.id} -->`,
    '',
    `**\`<stack name>/${query.name}\`**, on the log group of the \`${serviceName}\` function: ${query.question}`,
    '',
    '```',
    query.queryString,
    '```',
    '',
    '<!-- /query -->',
  ].join('\n');
}

/** The query's console name without its folder, as the heading of a block added by the generator. */
const heading = (query: SavedQuery) => query.name.slice(query.name.indexOf('/') + 1);

/**
 * The document with every query block regenerated. A saved query without a block gets one (with
 * its name as heading) before the end marker; a block naming no saved query is an error, since
 * the prose around it must go too.
 */
export function renderOperationsDocument(
  document: string,
  queries: readonly SavedQuery[] = savedQueries,
): string {
  for (const marker of [beginMarker, endMarker]) {
    if (!document.includes(marker)) throw new Error(`docs/operations.md has no ${marker} marker`);
  }
  const byId = new Map(queries.map((query) => [query.id, query]));
  const shown = new Set<string>();
  const [before, section] = document.split(beginMarker) as [string, string];
  const rendered = section.replace(blockPattern, (_block, id: string) => {
    const query = byId.get(id);
    if (query === undefined) {
      throw new Error(
        `docs/operations.md shows the query ${id}, which lib/audit-queries.ts no longer defines`,
      );
    }
    shown.add(id);
    return queryBlock(query);
  });
  const added = queries
    .filter((query) => !shown.has(query.id))
    .map((query) => `### ${heading(query)}\n\n${queryBlock(query)}\n\n`)
    .join('');
  return before + beginMarker + rendered.replace(endMarker, added + endMarker);
}
