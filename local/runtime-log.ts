/**
 * The local runtime's own lines: JSON like the functions' Powertools lines (so one `jq` reads the
 * whole output), told apart by `service: "local-runtime"`. Kept few on purpose: standard output
 * belongs to the functions' logs.
 */
export type RuntimeLogLevel = 'INFO' | 'WARN' | 'ERROR';

export type RuntimeLog = (level: RuntimeLogLevel, message: string, fields?: Record<string, unknown>) => void;

export const RUNTIME_SERVICE = 'local-runtime';

export function jsonLineLog(
  write: (line: string) => void = (line) => process.stdout.write(line),
): RuntimeLog {
  return (level, message, fields = {}) =>
    write(
      `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: RUNTIME_SERVICE, ...fields }, errorReplacer)}\n`,
    );
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
