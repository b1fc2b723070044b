/**
 * Captures the JSON lines the Powertools logger writes to standard output, the way CloudWatch
 * receives them, so tests can assert events field by field.
 */
export interface CapturedLogs {
  readonly lines: Record<string, unknown>[];
  /** Lines whose `message` is the given event name. */
  events(message: string): Record<string, unknown>[];
  restore(): void;
}

export function captureLogs(): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  // Powertools writes INFO and below to stdout, WARN and above to stderr.
  const spies = [process.stdout, process.stderr].map((stream) => captureStream(stream, lines));
  return {
    lines,
    events: (message) => lines.filter((line) => line.message === message),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

function captureStream(stream: NodeJS.WriteStream, lines: Record<string, unknown>[]) {
  const original = stream.write.bind(stream);
  return jest.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    let swallowed = false;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
        swallowed = true;
      } catch {
        // not a log line of ours
      }
    }
    return swallowed ? true : original(chunk as string, ...(rest as []));
  });
}
