import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderOpenApiDocument } from './openapi-document';

/** `npm run openapi`: regenerates docs/openapi.json from the zod schemas and the route definitions. */
const target = path.join(__dirname, '..', 'docs', 'openapi.json');
writeFileSync(target, renderOpenApiDocument());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
