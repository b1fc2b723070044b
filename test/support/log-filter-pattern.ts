/**
 * CloudWatch Logs JSON filter patterns, for the subset the stack's metric filters use
 * (definitions/log-metric-filters.ts), so a test can tell whether a line a real handler logged
 * would be counted, and by how much:
 * - `{ <expression> }` over one JSON log event;
 * - comparisons `$.field op value` with a selector of dotted names (`$.skippedByReason.x`), `op`
 *   one of `=`, `!=`, `<`, `<=`, `>`, `>=`, and `value` a double-quoted string (`=`/`!=` only)
 *   or a number;
 * - `&&`, `||` and parentheses (mixing `&&` and `||` needs parentheses).
 * A selector the event does not have matches nothing (CloudWatch's behaviour for a missing
 * field). Anything outside the subset — wildcards, unquoted strings, `IS NULL`, `EXISTS`, array
 * indexes, space-delimited or plain-term patterns — throws instead of silently answering
 * differently from CloudWatch.
 */
export class UnsupportedLogFilterPatternError extends Error {
  constructor(pattern: string, detail: string) {
    super(`Log filter pattern outside the supported subset (${detail}): ${pattern}`);
    this.name = 'UnsupportedLogFilterPatternError';
  }
}

type Token =
  | { kind: 'selector'; path: string[] }
  | { kind: 'op'; op: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'and' | 'or' | 'open' | 'close' };

type Expression =
  | { kind: 'and' | 'or'; left: Expression; right: Expression }
  | { kind: 'compare'; path: string[]; op: string; value: string | number };

function tokenize(pattern: string, body: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const fail = (detail: string): never => {
    throw new UnsupportedLogFilterPatternError(pattern, detail);
  };
  while (at < body.length) {
    const rest = body.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    const selector = /^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/.exec(rest);
    const op = /^(!=|<=|>=|=|<|>)/.exec(rest);
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.])/.exec(rest);
    const string = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (rest.startsWith('&&')) {
      tokens.push({ kind: 'and' });
      at += 2;
    } else if (rest.startsWith('||')) {
      tokens.push({ kind: 'or' });
      at += 2;
    } else if (rest[0] === '(' || rest[0] === ')') {
      tokens.push({ kind: rest[0] === '(' ? 'open' : 'close' });
      at += 1;
    } else if (selector) {
      if (rest[selector[0].length] === '[') fail('array indexes');
      tokens.push({ kind: 'selector', path: selector[1]!.slice(1).split('.') });
      at += selector[0].length;
    } else if (op) {
      tokens.push({ kind: 'op', op: op[1] as '=' });
      at += op[0].length;
    } else if (string) {
      if (string[1]!.includes('*')) fail('wildcards');
      tokens.push({ kind: 'string', value: JSON.parse(`"${string[1]}"`) as string });
      at += string[0].length;
    } else if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      at += number[0].length;
    } else {
      fail(`unexpected "${rest.slice(0, 12)}"`);
    }
  }
  return tokens;
}

function parse(pattern: string): Expression {
  const match = /^\s*\{(.*)\}\s*$/s.exec(pattern);
  if (!match) throw new UnsupportedLogFilterPatternError(pattern, 'not a JSON pattern { … }');
  const tokens = tokenize(pattern, match[1]!);
  let at = 0;
  const fail = (detail: string): never => {
    throw new UnsupportedLogFilterPatternError(pattern, detail);
  };
  const peek = () => tokens[at];

  const primary = (): Expression => {
    const token = tokens[at++];
    if (token?.kind === 'open') {
      const inner = or();
      if (tokens[at++]?.kind !== 'close') fail('unbalanced parentheses');
      return inner;
    }
    if (token?.kind !== 'selector') return fail('a comparison must start with $.field');
    const op = tokens[at++];
    if (op?.kind !== 'op') return fail('a comparison needs an operator');
    const value = tokens[at++];
    if (value?.kind === 'string') {
      if (op.op !== '=' && op.op !== '!=') fail('strings compare with = or != only');
      return { kind: 'compare', path: token.path, op: op.op, value: value.value };
    }
    if (value?.kind === 'number') return { kind: 'compare', path: token.path, op: op.op, value: value.value };
    return fail('a comparison needs a quoted string or a number');
  };
  /**
   * Operands joined by one kind of operator. CloudWatch documents no precedence between `&&` and
   * `||`, so mixing them without parentheses is refused rather than guessed.
   */
  const or = (): Expression => {
    let left = primary();
    let joiner: 'and' | 'or' | undefined;
    for (let next = peek(); next?.kind === 'and' || next?.kind === 'or'; next = peek()) {
      if (joiner !== undefined && next.kind !== joiner) fail('&& and || mixed without parentheses');
      joiner = next.kind;
      at++;
      left = { kind: joiner, left, right: primary() };
    }
    return left;
  };

  const expression = or();
  if (at !== tokens.length) fail('trailing tokens');
  return expression;
}

function select(event: unknown, path: readonly string[]): unknown {
  let current = event;
  for (const name of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

function evaluate(expression: Expression, event: unknown): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, event) && evaluate(expression.right, event);
    case 'or':
      return evaluate(expression.left, event) || evaluate(expression.right, event);
    case 'compare': {
      const actual = select(event, expression.path);
      const { op, value } = expression;
      if (typeof value === 'string') {
        if (typeof actual !== 'string') return false;
        return op === '=' ? actual === value : actual !== value;
      }
      if (typeof actual !== 'number') return false;
      switch (op) {
        case '=':
          return actual === value;
        case '!=':
          return actual !== value;
        case '<':
          return actual < value;
        case '<=':
          return actual <= value;
        case '>':
          return actual > value;
        default:
          return actual >= value;
      }
    }
  }
}

/** Whether a metric filter with this pattern matches the log event (one JSON line, parsed). */
export function matchesLogFilterPattern(pattern: string, event: unknown): boolean {
  return evaluate(parse(pattern), event);
}

/**
 * What the metric filter publishes for the event: nothing when the pattern does not match, the
 * constant for a literal `metricValue`, the event's number at `$.field` otherwise (nothing when
 * it is not a number, as CloudWatch publishes nothing then).
 */
export function metricValueOf(
  filter: { readonly filterPattern: string; readonly metricValue: string },
  event: unknown,
): number | undefined {
  if (!matchesLogFilterPattern(filter.filterPattern, event)) return undefined;
  if (!filter.metricValue.startsWith('$.')) return Number(filter.metricValue);
  const value = select(event, filter.metricValue.slice(2).split('.'));
  return typeof value === 'number' ? value : undefined;
}
