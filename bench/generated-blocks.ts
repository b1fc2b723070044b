/**
 * The benchmark document is written by hand; only the blocks between
 * `<!-- bench:table <name> -->` and `<!-- /bench:table -->` are generated. Filling them replaces
 * what lies between the two markers and leaves every other line as it was written. A marker the
 * generator has no table for, a table with no marker, and a marker it cannot pair are errors: the
 * prose around a block must change with it, so nothing is added or dropped silently.
 */

const opening = /^<!-- bench:table ([\w-]+) -->$/;
const closing = /^<!-- \/bench:table -->$/;

/** `document` with each named block holding `tables[name]`; throws on any marker problem. */
export function fillGeneratedTables(document: string, tables: Readonly<Record<string, string>>): string {
  const lines = document.split('\n');
  const output: string[] = [];
  const filled = new Set<string>();
  let open: { name: string; line: number } | undefined;
  lines.forEach((text, index) => {
    const at = `line ${index + 1}`;
    const start = opening.exec(text);
    if (start) {
      const name = start[1]!;
      if (open) throw new Error(`${at}: block "${name}" opens inside block "${open.name}" (${open.line})`);
      if (!Object.hasOwn(tables, name)) {
        throw new Error(
          `${at}: the document has a block "${name}", but the benchmark renders no such table ` +
            `(it renders ${Object.keys(tables).join(', ')})`,
        );
      }
      if (filled.has(name)) throw new Error(`${at}: block "${name}" appears twice`);
      open = { name, line: index + 1 };
      output.push(text, '', tables[name]!, '');
      return;
    }
    if (closing.test(text)) {
      if (!open) throw new Error(`${at}: a closing marker with no block open`);
      filled.add(open.name);
      open = undefined;
      output.push(text);
      return;
    }
    if (/^\s*<!--.*bench:table/.test(text)) throw new Error(`${at}: a marker it cannot read: ${text}`);
    if (!open) output.push(text);
  });
  if (open) throw new Error(`line ${open.line}: block "${open.name}" is never closed`);
  const missing = Object.keys(tables).filter((name) => !filled.has(name));
  if (missing.length > 0) {
    throw new Error(
      `the document has no block for ${missing.map((name) => `"${name}"`).join(', ')}: add ` +
        `"<!-- bench:table ${missing[0]} -->" and "<!-- /bench:table -->", each on a line of its own, ` +
        'where the prose discusses the table',
    );
  }
  return output.join('\n');
}
