import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Comments cite the repository's own documents, never the shared contract outside it: every
 * `docs/<name>.md` a source names exists, and every section it quotes (`docs/x.md, "Section"`,
 * `README, "Section"`) is a heading or a bold paragraph lead of that document.
 */

const root = join(__dirname, '..', '..');
const sourceDirectories = ['bin', 'bench', 'definitions', 'functions', 'lib', 'local', 'scripts', 'test'];

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface Citation {
  readonly document: string;
  readonly sections: readonly string[];
}

/** The citations in a source text, comment line breaks (` * `) joined. */
export function citationsIn(source: string): Citation[] {
  const text = source.replace(/\n\s*(?:\*|\/\/)\s*/g, ' ');
  const citations: Citation[] = [];
  const pattern = /\b(docs\/[\w-]+\.md|README(?:\.md)?)((?:,\s*(?:and\s+)?"[^"]+")*)/g;
  for (const match of text.matchAll(pattern)) {
    const document = match[1]!.startsWith('README') ? 'README.md' : match[1]!;
    const sections = [...match[2]!.matchAll(/"([^"]+)"/g)].map((section) => section[1]!);
    citations.push({ document, sections });
  }
  return citations;
}

const plain = (text: string) => text.replace(/[`*_]/g, '').trim().toLowerCase();

/** The headings and bold paragraph leads of a Markdown document, as plain lower-case text. */
function sectionsOf(markdown: string): string[] {
  return markdown.split('\n').flatMap((line) => {
    if (line.startsWith('#')) return [plain(line.replace(/^#+/, ''))];
    const lead = /^\*\*(.+?)\*\*/.exec(line);
    return lead ? [plain(lead[1]!)] : [];
  });
}

/** What is wrong with a citation, or undefined when it resolves. */
export function unresolved(
  citation: Citation,
  readDocument: (path: string) => string | undefined,
): string | undefined {
  const markdown = readDocument(citation.document);
  if (markdown === undefined) return `${citation.document} does not exist`;
  const sections = sectionsOf(markdown);
  const missing = citation.sections.filter((section) => !sections.some((s) => s.includes(plain(section))));
  return missing.length > 0
    ? `${citation.document} has no section ${missing.map((m) => `"${m}"`).join(', ')}`
    : undefined;
}

const readRepositoryDocument = (path: string) => {
  const absolute = join(root, path);
  return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
};

describe('comments cite documents in the repository', () => {
  // This file's own examples cite documents that do not exist, on purpose.
  const files = sourceDirectories
    .flatMap((directory) => typeScriptFiles(join(root, directory)))
    .filter((file) => file !== __filename);

  test('no source cites the shared contract, which is not in the repository', () => {
    const citing = files.filter((file) => /\bcontract\/[\w-]+\.md/.test(readFileSync(file, 'utf8')));
    expect(citing.map((file) => relative(root, file))).toEqual([]);
  });

  test('every cited document exists and has the quoted sections', () => {
    const problems = files.flatMap((file) =>
      citationsIn(readFileSync(file, 'utf8')).flatMap((citation) => {
        const problem = unresolved(citation, readRepositoryDocument);
        return problem ? [`${relative(root, file)}: ${problem}`] : [];
      }),
    );
    expect(problems).toEqual([]);
    // The check has something to check.
    expect(files.flatMap((file) => citationsIn(readFileSync(file, 'utf8'))).length).toBeGreaterThan(10);
  });

  test('the check finds a missing document and a missing section, and reads sections across comment lines', () => {
    const source = [
      '/**',
      ' * See docs/guide.md, "Part one" and docs/guide.md, "Part',
      ' * two", README, "Setup", and docs/gone.md.',
      ' */',
    ].join('\n');
    const citations = citationsIn(source);
    expect(citations).toEqual([
      { document: 'docs/guide.md', sections: ['Part one'] },
      { document: 'docs/guide.md', sections: ['Part two'] },
      { document: 'README.md', sections: ['Setup'] },
      { document: 'docs/gone.md', sections: [] },
    ]);
    const documents: Record<string, string> = {
      'docs/guide.md': '# Guide\n\n## Part one\n\n**Part `two`.** Text.\n',
      'README.md': '# Readme\n',
    };
    expect(citations.map((citation) => unresolved(citation, (path) => documents[path]))).toEqual([
      undefined,
      undefined,
      'README.md has no section "Setup"',
      'docs/gone.md does not exist',
    ]);
  });
});
