import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fields of a row answer, in the order the row API writes them, as docs/row-api.md ("The row")
 * states the contract: the wire is checked against the document, not against the model that
 * builds it.
 */
export const ROW_KEYS: readonly string[] = documentedRowKeys();

function documentedRowKeys(): string[] {
  const document = readFileSync(join(__dirname, '..', '..', 'docs', 'row-api.md'), 'utf8');
  const listing = /^## The row\n\n`\{([^}]*)\}`/m.exec(document)?.[1];
  if (listing === undefined)
    throw new Error('docs/row-api.md no longer lists the row\'s fields under "The row"');
  return listing.split(',').map((name) => name.trim());
}
