/** One line of a text file: its 1-based number and its text (no line break), or why it is not text. */
export type NumberedLine =
  | { readonly number: number; readonly text: string }
  | { readonly number: number; readonly text?: undefined; readonly notUtf8: true };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of a byte stream (`\n` or `\r\n` line breaks), numbered from 1, each decoded as
 * strict UTF-8: a line that is not is reported as such rather than turned into U+FFFD, which an
 * import would then write as if the export had said so. A last line without a line break is a
 * line too; a final line break does not start an empty one. Memory holds one line at a time.
 */
export async function* numberedLines(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<NumberedLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Buffer[] = [];
  let number = 0;
  const line = (parts: Buffer[]): NumberedLine => {
    number++;
    let raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (raw.length > 0 && raw[raw.length - 1] === CARRIAGE_RETURN) raw = raw.subarray(0, raw.length - 1);
    try {
      return { number, text: decoder.decode(raw) };
    } catch {
      return { number, notUtf8: true };
    }
  };
  for await (const chunk of bytes) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = buffer.indexOf(NEWLINE, start); end >= 0; end = buffer.indexOf(NEWLINE, start)) {
      pending.push(buffer.subarray(start, end));
      yield line(pending);
      pending = [];
      start = end + 1;
    }
    if (start < buffer.length) pending.push(buffer.subarray(start));
  }
  if (pending.length > 0) yield line(pending);
}
