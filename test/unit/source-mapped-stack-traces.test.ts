import type { SourceMap } from 'node:module';
import { formatStackTrace, type SourceMapLookup } from '../../functions/commons/source-mapped-stack-traces';

/**
 * How the bundles format a stack trace (functions/commons/source-mapped-stack-traces.ts): frames
 * of a file with a source map point into the original sources, under their original names;
 * every other frame reads exactly as V8 prints it. Reading real maps from real bundles is
 * covered by the shipped-artifact test (test/artifacts).
 */

const BUNDLE = 'file:///var/task/index.mjs';

interface FrameSpec {
  readonly file?: string | null;
  readonly line?: number;
  readonly column?: number;
  /** Where the function the frame is in starts. */
  readonly enclosing?: readonly [number, number];
  readonly functionName?: string | null;
  readonly async?: boolean;
  readonly v8?: string;
}

function frame(spec: FrameSpec): NodeJS.CallSite {
  const file = spec.file === undefined ? BUNDLE : spec.file;
  return {
    getFileName: () => file,
    getLineNumber: () => spec.line ?? 1,
    getColumnNumber: () => spec.column ?? 1,
    getEnclosingLineNumber: () => spec.enclosing?.[0] ?? 1,
    getEnclosingColumnNumber: () => spec.enclosing?.[1] ?? 1,
    getFunctionName: () => (spec.functionName === undefined ? 'o' : spec.functionName),
    getMethodName: () => null,
    isAsync: () => spec.async ?? false,
    isConstructor: () => false,
    toString: () => spec.v8 ?? `${spec.functionName ?? 'o'} (${file}:${spec.line ?? 1}:${spec.column ?? 1})`,
  } as unknown as NodeJS.CallSite;
}

/**
 * A map of the bundle with entries at generated (0-based) positions `line:column`: the original
 * position (1-based, as findOrigin answers) and the name mapped there.
 */
function bundleMap(
  entries: Record<string, { source?: string; line?: number; column?: number; name?: string }>,
) {
  const map = {
    findOrigin: (line: number, column: number) => {
      const entry = entries[`${line - 1}:${column - 1}`];
      return entry?.source
        ? { fileName: entry.source, lineNumber: entry.line, columnNumber: entry.column }
        : {};
    },
    findEntry: (line: number, column: number) => {
      const entry = entries[`${line}:${column}`];
      return entry?.name ? { name: entry.name } : {};
    },
  } as unknown as SourceMap;
  const lookup: SourceMapLookup = (fileName) => (fileName === BUNDLE ? map : undefined);
  return lookup;
}

const SOURCE = '/build/functions/request-guards/request-guards-repository.ts';

describe('a frame in a bundle with a source map reads as the original source', () => {
  test('its position is the original file, line and column', () => {
    const lookup = bundleMap({ '0:99': { source: SOURCE, line: 47, column: 28 } });
    const trace = formatStackTrace(new Error('boom'), [frame({ line: 1, column: 100 })], lookup);
    expect(trace).toBe(`Error: boom\n    at o (${SOURCE}:47:28)`);
  });

  test('its name is the one mapped where its enclosing function starts', () => {
    const lookup = bundleMap({
      '0:99': { source: SOURCE, line: 47, column: 28 },
      '0:49': { name: 'increment' },
    });
    const trace = formatStackTrace(
      new Error('boom'),
      [frame({ line: 1, column: 100, enclosing: [1, 50], async: true })],
      lookup,
    );
    expect(trace).toBe(`Error: boom\n    at async increment (${SOURCE}:47:28)`);
  });

  test('else the name mapped where the caller, in the same file, calls it', () => {
    const lookup = bundleMap({
      '0:99': { source: SOURCE, line: 47, column: 28 },
      '0:199': { source: SOURCE, line: 80, column: 5, name: 'increment' },
    });
    const trace = formatStackTrace(
      new Error('boom'),
      [frame({ line: 1, column: 100 }), frame({ line: 1, column: 200, functionName: 'r' })],
      lookup,
    );
    expect(trace.split('\n')[1]).toBe(`    at increment (${SOURCE}:47:28)`);
  });

  test('an anonymous function is its position alone', () => {
    const lookup = bundleMap({ '0:99': { source: SOURCE, line: 3, column: 1 } });
    const trace = formatStackTrace(
      new Error('boom'),
      [frame({ line: 1, column: 100, functionName: null })],
      lookup,
    );
    expect(trace).toBe(`Error: boom\n    at ${SOURCE}:3:1`);
  });
});

describe('every other frame reads exactly as V8 prints it', () => {
  test('frames of files without a map, of Node itself, and at positions the map does not cover', () => {
    const lookup = bundleMap({});
    const frames = [
      frame({
        file: 'node:internal/process/task_queues',
        v8: 'process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      }),
      frame({ file: '/var/task/other.mjs', v8: 'run (/var/task/other.mjs:1:2)' }),
      frame({ file: null, v8: 'async Promise.all (index 0)' }),
      frame({ line: 1, column: 5, v8: `o (${BUNDLE}:1:5)` }),
    ];
    expect(formatStackTrace(new TypeError('bad'), frames, lookup).split('\n')).toEqual([
      'TypeError: bad',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at run (/var/task/other.mjs:1:2)',
      '    at async Promise.all (index 0)',
      `    at o (${BUNDLE}:1:5)`,
    ]);
  });

  test('a map that fails to answer leaves the frame as V8 prints it, and the trace is still formatted', () => {
    const broken = {
      findOrigin: () => {
        throw new Error('corrupt map');
      },
    } as unknown as SourceMap;
    const trace = formatStackTrace(new Error('boom'), [frame({ v8: `o (${BUNDLE}:1:1)` })], () => broken);
    expect(trace).toBe(`Error: boom\n    at o (${BUNDLE}:1:1)`);
  });

  test('the first line is the error as Error.prototype.toString prints it', () => {
    const error = new RangeError('out of range');
    expect(formatStackTrace(error, [], bundleMap({}))).toBe('RangeError: out of range');
  });
});
