import {
  boundaryViolations,
  buildImportGraph,
  importCycles,
  repositoryRoot,
  type ImportGraph,
} from '../../scripts/import-graph';

const graph = buildImportGraph(repositoryRoot);
const describeViolation = ({ importer, imported, rule }: ReturnType<typeof boundaryViolations>[number]) =>
  `${importer} imports ${imported} (${rule.from} may import only ${rule.mayImport.join(', ')})`;

describe('imports go one way', () => {
  it('reads every source folder (the check is not vacuous)', () => {
    const files = [...graph.keys()];
    for (const folder of ['definitions/', 'functions/', 'lib/', 'local/', 'bin/', 'test/']) {
      expect(files.some((file) => file.startsWith(folder))).toBe(true);
    }
    expect(graph.get('lib/health-ingest-stack.ts')).toContain('definitions/service-functions.ts');
  });

  it('functions/ and lib/ never import each other; definitions/ imports neither; local/ never imports the CDK code', () => {
    expect(boundaryViolations(graph).map(describeViolation)).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the checker itself', () => {
  const fixture = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

  it('flags a function that imports the infrastructure, and the reverse', () => {
    const violations = boundaryViolations(
      fixture({
        'functions/ingest-batch/handler.ts': ['lib/health-ingest-stack.ts', 'definitions/log-events.ts'],
        'lib/audit-queries.ts': ['functions/audit/classify-change.ts'],
        'definitions/log-events.ts': ['functions/commons/logger.ts'],
      }),
    );
    expect(violations.map(({ importer, imported }) => `${importer} -> ${imported}`)).toEqual([
      'functions/ingest-batch/handler.ts -> lib/health-ingest-stack.ts',
      'lib/audit-queries.ts -> functions/audit/classify-change.ts',
      'definitions/log-events.ts -> functions/commons/logger.ts',
    ]);
  });

  it('flags a port that imports its adapter and a use case that imports another capability', () => {
    const violations = boundaryViolations(
      fixture({
        'functions/measurements/rows/row-store.ts': ['functions/measurements/storage/table-row-store.ts'],
        'functions/measurements/rows/edit-measurement.ts': ['functions/measurements/batch/plan-entry.ts'],
        'functions/measurements/storage/table-row-store.ts': ['functions/measurements/rows/row-store.ts'],
      }),
    );
    expect(violations.map(({ importer }) => importer)).toEqual([
      'functions/measurements/rows/row-store.ts',
      'functions/measurements/rows/edit-measurement.ts',
    ]);
  });

  it("flags the request pipeline importing a route's use case or storage", () => {
    const violations = boundaryViolations(
      fixture({
        'functions/http-pipeline/guarded-handler.ts': [
          'functions/http/envelope.ts',
          'functions/request-guards/request-guards.ts',
          'functions/measurements/rows/create-measurements.ts',
          'functions/measurements/storage/table-row-store.ts',
        ],
      }),
    );
    expect(violations.map(({ imported }) => imported)).toEqual([
      'functions/measurements/rows/create-measurements.ts',
      'functions/measurements/storage/table-row-store.ts',
    ]);
  });

  it('finds a cycle through a type-only import, and a file importing itself', () => {
    const cycles = importCycles(
      fixture({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['d.ts'], 'e.ts': ['a.ts'] }),
    );
    expect(cycles).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });

  it('sees import type, export-from, dynamic import and require as edges', () => {
    const handlerImports = graph.get('local/start.ts') ?? [];
    expect(handlerImports).toEqual(expect.arrayContaining(['definitions/service-functions.ts']));
    const typeOnly = graph.get('functions/measurements/rows/read-measurements.ts') ?? [];
    expect(typeOnly).toContain('functions/measurements/rows/row-store.ts');
  });
});
