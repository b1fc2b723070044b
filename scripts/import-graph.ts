import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of the repository's TypeScript sources and the rules it must keep:
 * - layers: the Lambda code (`functions/`) and the infrastructure (`lib/`, `bin/`) never import
 *   each other; both may import the neutral `definitions/`, which imports neither; the local
 *   runtime (`local/`) runs the functions and reads the definitions, never the CDK code;
 * - inside `functions/measurements/`, imports go one way: the model and the pure summaries import
 *   no capability (the summaries read the model's row types); the batch pipeline, the row use
 *   cases and the aggregate recompute import the model and the summaries (never each other, never
 *   storage), and storage implements their ports;
 * - the user-data tools (`functions/user-data/`) decide over ports too, and never import storage;
 * - the HTTP functions' request pipeline (`functions/http-pipeline/`) knows the envelope, the
 *   caller and the request guards, never a route's use case or storage;
 * - no cycles at all, `import type` included.
 * `npm test` runs these checks (test/unit/import-boundaries.test.ts).
 */

/** A file's imports of other files of the repository (packages are not edges). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export interface BoundaryRule {
  /** Files whose repository-relative path starts with this prefix… */
  readonly from: string;
  /** …may import only files under one of these prefixes. */
  readonly mayImport: readonly string[];
}

/** The most specific rule (longest `from`) decides; files no rule names may import anything. */
export const boundaryRules: readonly BoundaryRule[] = [
  { from: 'definitions/', mayImport: ['definitions/'] },
  { from: 'functions/', mayImport: ['functions/', 'definitions/'] },
  { from: 'lib/', mayImport: ['lib/', 'definitions/'] },
  { from: 'bin/', mayImport: ['bin/', 'lib/', 'definitions/'] },
  { from: 'local/', mayImport: ['local/', 'functions/', 'definitions/'] },
  { from: 'functions/commons/', mayImport: ['functions/commons/', 'definitions/'] },
  {
    from: 'functions/measurements/model/',
    mayImport: ['functions/measurements/model/', 'definitions/'],
  },
  {
    from: 'functions/measurements/batch/',
    mayImport: [
      'functions/measurements/batch/',
      'functions/measurements/model/',
      'functions/commons/',
      'definitions/',
    ],
  },
  {
    from: 'functions/measurements/rows/',
    mayImport: [
      'functions/measurements/rows/',
      'functions/measurements/model/',
      'functions/measurements/summaries/',
      'functions/commons/',
      'definitions/',
    ],
  },
  // Pure shaping of rows into days, nights and chart points: no I/O, no other capability (the
  // model, whose row types they read, imports none either).
  {
    from: 'functions/measurements/summaries/',
    mayImport: ['functions/measurements/summaries/', 'functions/measurements/model/', 'definitions/'],
  },
  {
    from: 'functions/measurements/aggregates/',
    mayImport: [
      'functions/measurements/aggregates/',
      'functions/measurements/model/',
      'functions/measurements/summaries/',
      'functions/commons/',
      'definitions/',
    ],
  },
  {
    from: 'functions/measurements/storage/',
    mayImport: [
      'functions/measurements/storage/',
      'functions/measurements/model/',
      'functions/measurements/summaries/',
      // the ports it implements
      'functions/measurements/batch/measurement-writer',
      'functions/measurements/rows/row-store',
      'functions/measurements/aggregates/aggregate-store',
      'functions/user-data/user-data-store',
      // the row lines it restores
      'functions/user-data/export-format',
      'definitions/',
    ],
  },
  // The user-data tools (export, import, erasure): decisions over ports that storage implements.
  {
    from: 'functions/user-data/',
    mayImport: [
      'functions/user-data/',
      'functions/measurements/model/',
      'functions/audit/user-ref',
      'functions/commons/',
      'definitions/',
    ],
  },
  // The guarded-request pipeline around the HTTP functions' routes: the routes bring the use cases.
  {
    from: 'functions/http-pipeline/',
    mayImport: [
      'functions/http-pipeline/',
      'functions/http/',
      'functions/request-guards/',
      'functions/commons/',
      'definitions/',
    ],
  },
  {
    from: 'functions/audit/',
    mayImport: ['functions/audit/', 'functions/measurements/model/', 'functions/commons/', 'definitions/'],
  },
];

export const sourceRoots = ['bin', 'definitions', 'functions', 'lib', 'local', 'scripts', 'bench', 'test'];

function toPosix(path: string): string {
  return path.split(sep).join(posix.sep);
}

function listSources(root: string, directory: string): string[] {
  const absolute = join(root, directory);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listSources(root, path);
    return /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [toPosix(path)] : [];
  });
}

function resolveImport(root: string, importer: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(importer), specifier));
  const candidates = [base, `${base}.ts`, `${base}.mts`, posix.join(base, 'index.ts')];
  return candidates.find((candidate) => {
    const absolute = join(root, candidate);
    return existsSync(absolute) && statSync(absolute).isFile();
  });
}

/** Every relative import, export-from, dynamic `import()` and `require()` of every source file. */
export function buildImportGraph(root: string, roots: readonly string[] = sourceRoots): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap((directory) => listSources(root, directory))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => resolveImport(root, file, fileName))
      .filter((target): target is string => target !== undefined && /\.(ts|mts)$/.test(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

export interface BoundaryViolation {
  readonly importer: string;
  readonly imported: string;
  readonly rule: BoundaryRule;
}

function ruleFor(file: string, rules: readonly BoundaryRule[]): BoundaryRule | undefined {
  return rules.filter((rule) => file.startsWith(rule.from)).sort((a, b) => b.from.length - a.from.length)[0];
}

export function boundaryViolations(
  graph: ImportGraph,
  rules: readonly BoundaryRule[] = boundaryRules,
): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const [importer, targets] of graph) {
    const rule = ruleFor(importer, rules);
    if (!rule) continue;
    for (const imported of targets) {
      if (!rule.mayImport.some((prefix) => imported.startsWith(prefix))) {
        violations.push({ importer, imported, rule });
      }
    }
  }
  return violations;
}

/** Every strongly connected component with more than one file, or a file importing itself. */
export function importCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];

  // Tarjan's algorithm, iterative so a deep graph cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfImport = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfImport) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

export const repositoryRoot = join(__dirname, '..');
