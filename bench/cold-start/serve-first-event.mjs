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
const cpuMs = (usage) => (usage.user + usage.system) / 1000;

// performance.now() counts from the process's start: the first reading is Node's own bootstrap.
const importStart = performance.now();
const cpuAtStart = process.cpuUsage();
const bundle = await import(pathToFileURL(bundlePath).href);
const imported = performance.now();
const cpuAtImport = process.cpuUsage();
const answer = await bundle.handler(event, context);
const served = performance.now();
const rssMiB = process.memoryUsage().rss / 1024 / 1024;

process.stdout.write(
  `\nBENCH ${JSON.stringify({
    bootstrapMs: importStart,
    importMs: imported - importStart,
    importCpuMs: cpuMs(cpuAtImport) - cpuMs(cpuAtStart),
    firstEventMs: served - imported,
    totalMs: served,
    rssMiB,
    answer,
  })}\n`,
  () => process.exit(0),
);
