import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The README is the front door: every link in it leads somewhere. A relative link names a file or
 * folder of the repository; a `#fragment` names a heading of the Markdown document it points at
 * (GitHub's anchors). External links are not fetched. The same holds for the documents in docs/,
 * which the README sends readers to.
 */

const root = join(__dirname, '..', '..');

/** The Markdown without fenced code blocks, whose `#` lines and brackets are not Markdown. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The targets of inline links and images, `[text](target)`, in the order they appear. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  return withoutCodeBlocks(markdown)
    .split('\n')
    .flatMap((line) => {
      const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (!heading) return [];
      const text = heading[1]!
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/[`*]/g, '')
        .replace(/<[^>]+>/g, '');
      const slug = text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
        .replace(/ /g, '-');
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      return [count === 0 ? slug : `${slug}-${count}`];
    });
}

/** What is wrong with one link of `fromFile`, or undefined when it resolves. */
export function brokenLink(
  fromFile: string,
  target: string,
  read: (path: string) => string | undefined,
  exists: (path: string) => boolean,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: — not checked
  const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? fromFile : join(dirname(fromFile), decodeURIComponent(pathPart));
  if (!exists(file)) return `${target}: ${relative(root, file)} does not exist`;
  if (fragment === undefined || fragment === '') return undefined;
  if (!file.endsWith('.md')) return `${target}: only Markdown documents have anchors`;
  const anchors = headingAnchors(read(file) ?? '');
  return anchors.includes(decodeURIComponent(fragment))
    ? undefined
    : `${target}: ${relative(root, file)} has no heading with the anchor #${fragment}`;
}

const readFile = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

function problemsOf(file: string): string[] {
  return linkTargets(readFileSync(file, 'utf8')).flatMap((target) => {
    const problem = brokenLink(file, target, readFile, existsSync);
    return problem ? [`${relative(root, file)}: ${problem}`] : [];
  });
}

function markdownFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

describe('every link in the README resolves', () => {
  const readme = join(root, 'README.md');

  test('every relative link names a file of the repository, every #anchor a heading', () => {
    expect(problemsOf(readme)).toEqual([]);
    // The check has something to check.
    expect(linkTargets(readFileSync(readme, 'utf8')).length).toBeGreaterThan(10);
  });

  test('and so does every link in the documents it leads to', () => {
    const documents = [join(root, 'SECURITY.md'), ...markdownFiles(join(root, 'docs'))];
    expect(documents.flatMap(problemsOf)).toEqual([]);
  });

  test('the check finds a missing file and a missing anchor, and ignores code and external links', () => {
    const markdown = [
      '# Guide',
      '## Who is calling',
      '## The `healthlog` mode: why (401)',
      '## Who is calling',
      'See [a](notes/guide.md#who-is-calling-1), [b](#the-healthlog-mode-why-401), [c](https://example.com).',
      '`[not a link](nowhere.md)`',
      '```',
      '# not a heading',
      '[not a link](nowhere.md)',
      '```',
    ].join('\n');
    expect(linkTargets(markdown)).toEqual([
      'notes/guide.md#who-is-calling-1',
      '#the-healthlog-mode-why-401',
      'https://example.com',
    ]);
    expect(headingAnchors(markdown)).toEqual([
      'guide',
      'who-is-calling',
      'the-healthlog-mode-why-401',
      'who-is-calling-1',
    ]);

    const from = join(root, 'README.md');
    const documents: Record<string, string> = {
      [join(root, 'notes', 'guide.md')]: markdown,
      [from]: markdown,
    };
    const read = (path: string) => documents[path];
    const exists = (path: string) => path in documents;
    expect(brokenLink(from, 'notes/guide.md#who-is-calling-1', read, exists)).toBeUndefined();
    expect(brokenLink(from, '#the-healthlog-mode-why-401', read, exists)).toBeUndefined();
    expect(brokenLink(from, 'https://example.com/x', read, exists)).toBeUndefined();
    expect(brokenLink(from, 'notes/gone.md', read, exists)).toBe(
      'notes/gone.md: notes/gone.md does not exist',
    );
    expect(brokenLink(from, 'notes/guide.md#setup', read, exists)).toBe(
      'notes/guide.md#setup: notes/guide.md has no heading with the anchor #setup',
    );
  });
});
