/**
 * A Markdown table laid out the way Prettier lays it out (every column padded to its widest cell,
 * at least three wide), so a generated block is already formatted and `prettier --check` passes
 * without the generator touching anything outside it.
 */

export interface Column {
  readonly title: string;
  /** Numbers read best right-aligned; everything else is left-aligned. */
  readonly align?: 'left' | 'right';
}

/** Characters as a reader sees them (`µ`, `–` and `×` are one each). */
const width = (text: string) => [...text].length;

/** A pipe inside a cell would end it. */
const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

export function markdownTable(
  columns: ReadonlyArray<string | Column>,
  rows: ReadonlyArray<readonly string[]>,
): string {
  const spec = columns.map((column) => (typeof column === 'string' ? { title: column } : column));
  for (const row of rows) {
    if (row.length !== spec.length) {
      throw new Error(`a row has ${row.length} cells for ${spec.length} columns: ${row.join(' | ')}`);
    }
  }
  const body = rows.map((row) => row.map(escapeCell));
  const header = spec.map((column) => escapeCell(column.title));
  const widths = spec.map((_, index) =>
    Math.max(3, width(header[index]!), ...body.map((row) => width(row[index]!))),
  );
  const pad = (text: string, index: number) => {
    const fill = ' '.repeat(widths[index]! - width(text));
    return spec[index]!.align === 'right' ? fill + text : text + fill;
  };
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const delimiter = spec.map((column, index) =>
    column.align === 'right' ? `${'-'.repeat(widths[index]! - 1)}:` : '-'.repeat(widths[index]!),
  );
  return [line(header.map(pad)), line(delimiter), ...body.map((row) => line(row.map(pad)))].join('\n');
}
