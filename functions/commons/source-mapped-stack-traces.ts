import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Readable stack traces for the bundled functions without paying for them at every cold start.
 * `--enable-source-maps` makes Node read and parse a bundle's source map while it loads the
 * bundle; here the map is read only when a stack trace is first formatted (`error.stack`, which
 * the logger reads for every logged error), once per process, and a process that never formats
 * one never reads it. The frames look like `--enable-source-maps` makes them:
 * `at increment (/…/functions/request-guards/request-guards-repository.ts:41:5)`.
 *
 * Installed in the bundles only (esbuild `inject`, lib/constructs/service-function.ts); under the
 * TypeScript tooling (tests, `npm start`) that tooling's own source maps apply.
 */

/** The source map of a generated file, or undefined when it has none. */
export type SourceMapLookup = (fileName: string) => SourceMap | undefined;

interface MappedPosition {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

const MAP_COMMENT = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;

/** Reads a file's map from its trailing `//# sourceMappingURL=` comment (a file next to it), once. */
export function fileSourceMaps(): SourceMapLookup {
  const cache = new Map<string, SourceMap | undefined>();
  return (fileName) => {
    if (cache.has(fileName)) return cache.get(fileName);
    let map: SourceMap | undefined;
    try {
      map = readSourceMap(fileName.startsWith('file://') ? fileURLToPath(fileName) : fileName);
    } catch {
      map = undefined;
    }
    cache.set(fileName, map);
    return map;
  };
}

function readSourceMap(path: string): SourceMap | undefined {
  if (!isAbsolute(path) || !existsSync(path)) return undefined;
  const url = MAP_COMMENT.exec(readTail(path, 1024))?.[1];
  if (!url || url.startsWith('data:')) return undefined;
  const mapPath = resolve(dirname(path), decodeURIComponent(url));
  const payload = JSON.parse(readFileSync(mapPath, 'utf8'));
  // Sources are relative to the map; show them as paths, as Node does.
  payload.sources = (payload.sources as string[]).map((source) =>
    source.startsWith('file://') ? fileURLToPath(source) : resolve(dirname(mapPath), source),
  );
  return new SourceMap(payload);
}

function readTail(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function originOf(map: SourceMap, line: number | null, column: number | null): MappedPosition | undefined {
  if (line === null || column === null) return undefined;
  const origin = map.findOrigin(line, column) as Partial<{
    fileName: string;
    lineNumber: number;
    columnNumber: number;
  }>;
  if (!origin.fileName || origin.lineNumber === undefined || origin.columnNumber === undefined)
    return undefined;
  return { source: origin.fileName, line: origin.lineNumber, column: origin.columnNumber };
}

/**
 * The function's name in the sources: the name mapped at the start of the function the frame
 * is in, else the name mapped where the caller (next frame, same file) calls it.
 */
function originalName(map: SourceMap, frames: readonly NodeJS.CallSite[], index: number): string | undefined {
  const frame = frames[index]!;
  const enclosing = map.findEntry(
    (frame.getEnclosingLineNumber() ?? 0) - 1,
    (frame.getEnclosingColumnNumber() ?? 0) - 1,
  ) as { name?: string };
  if (enclosing.name) return enclosing.name;
  const caller = frames[index + 1];
  if (!caller || caller.getFileName() !== frame.getFileName()) return undefined;
  return (
    map.findEntry((caller.getLineNumber() ?? 0) - 1, (caller.getColumnNumber() ?? 0) - 1) as { name?: string }
  ).name;
}

function formatFrame(
  frames: readonly NodeJS.CallSite[],
  index: number,
  sourceMapOf: SourceMapLookup,
): string {
  const frame = frames[index]!;
  const fileName = frame.getFileName();
  const map = fileName ? sourceMapOf(fileName) : undefined;
  const position = map ? originOf(map, frame.getLineNumber(), frame.getColumnNumber()) : undefined;
  if (!map || !position) return String(frame);
  const name = originalName(map, frames, index) ?? frame.getFunctionName() ?? frame.getMethodName();
  const prefix = frame.isAsync() ? 'async ' : frame.isConstructor() ? 'new ' : '';
  const location = `${position.source}:${position.line}:${position.column}`;
  return name ? `${prefix}${name} (${location})` : `${prefix}${location}`;
}

/**
 * `Error.prepareStackTrace` with source maps: the error's `name: message` line, then one
 * `    at …` line per frame, mapped to the original source where the frame's file has a map.
 * It never throws; on any failure the frames are printed as V8 would print them.
 */
export function formatStackTrace(
  error: Error,
  frames: readonly NodeJS.CallSite[],
  sourceMapOf: SourceMapLookup,
): string {
  let header: string;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = '<error>';
  }
  const lines = frames.map((_, index) => {
    try {
      return formatFrame(frames, index, sourceMapOf);
    } catch {
      return String(frames[index]);
    }
  });
  return [header, ...lines.map((line) => `    at ${line}`)].join('\n');
}

/** Maps every stack trace formatted in this process from now on (the map of a file is read once). */
export function installSourceMappedStackTraces(): void {
  const sourceMapOf = fileSourceMaps();
  Error.prepareStackTrace = (error, frames) => formatStackTrace(error, frames, sourceMapOf);
}
