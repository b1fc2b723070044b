// Runs in a fresh Node process (plain node, no loader): imports one bundle, serves one event,
// reports its timings as one `BENCH {json}` line on stdout, and exits.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [bundlePath, eventPath] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const context = {
  getRemainingTimeInMillis: () => 25000,
  functionName: 'bench',
  awsRequestId: 'bench-cold-start',
};

// performance.now() counts from the process's start: the first reading is Node's own bootstrap.
const importStart = performance.now();
const bundle = await import(pathToFileURL(bundlePath).href);
const imported = performance.now();
const answer = await bundle.handler(event, context);
const served = performance.now();
process.stdout.write(
  `\nBENCH ${JSON.stringify({
    bootstrapMs: importStart,
    importMs: imported - importStart,
    firstEventMs: served - imported,
    totalMs: served,
    answer,
  })}\n`,
  () => process.exit(0),
);
