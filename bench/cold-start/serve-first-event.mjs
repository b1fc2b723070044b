// Runs in a fresh Node process (plain node, no loader): imports one bundle, serves one event,
// reports its timings as one `BENCH {json}` line on stdout, and exits. With `--map-load` it then
// also times what a bundle whose map is read on demand pays for its first formatted stack trace:
// reading and parsing the map, and one lookup.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [bundlePath, eventPath, ...flags] = process.argv.slice(2);
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
// Node's bundled undici (fetch, WebSocket): whether it was loaded, and when.
const undiciLoaded = () => process.moduleLoadList.some((name) => name.includes('undici'));
const undiciAtImport = undiciLoaded();
const answer = await bundle.handler(event, context);
const served = performance.now();
const undici = undiciAtImport ? 'import' : undiciLoaded() ? 'first event' : 'never';
const rssMiB = process.memoryUsage().rss / 1024 / 1024;

let mapLoadMs;
if (flags.includes('--map-load')) {
  const start = performance.now();
  new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8'))).findOrigin(1, 1);
  mapLoadMs = performance.now() - start;
}
process.stdout.write(
  `\nBENCH ${JSON.stringify({
    bootstrapMs: importStart,
    importMs: imported - importStart,
    importCpuMs: cpuMs(cpuAtImport) - cpuMs(cpuAtStart),
    firstEventMs: served - imported,
    totalMs: served,
    rssMiB,
    undici,
    mapLoadMs,
    answer,
  })}\n`,
  () => process.exit(0),
);
