import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderOpenApiDocument } from './openapi-document';
import { renderOperationsDocument } from './operations-document';

/**
 * `npm run docs`: rewrites every generated part of the documentation from the code that owns it —
 * the saved queries in docs/operations.md (lib/audit-queries.ts) and docs/openapi.json (the zod
 * schemas and the routes). Run it after changing either; unit tests fail until it has run.
 */
const docs = path.join(__dirname, '..', 'docs');
const operations = path.join(docs, 'operations.md');
const openApi = path.join(docs, 'openapi.json');

try {
  writeFileSync(operations, renderOperationsDocument(readFileSync(operations, 'utf8')));
  writeFileSync(openApi, renderOpenApiDocument());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
for (const file of [operations, openApi]) console.error(`wrote ${path.relative(process.cwd(), file)}`);
