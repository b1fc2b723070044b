import type { FunctionDefinition } from '../../../definitions/service-functions';
import type { ShippedFunction } from './cloud-assembly';

/**
 * Why the shipped-artifact test would leave a function untested: a function of the template that
 * is no defined function (so nothing names a check for it), a defined function the template lacks,
 * a defined function without a check, or a check for no defined function. Empty when every
 * function the template deploys is checked.
 */
export function coverageProblems(
  shipped: readonly Pick<ShippedFunction, 'logicalId' | 'constructId'>[],
  definitions: Readonly<Record<string, Pick<FunctionDefinition, 'id'>>>,
  checks: Readonly<Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  const nameOfId = new Map(Object.entries(definitions).map(([name, definition]) => [definition.id, name]));
  for (const fn of shipped) {
    if (!nameOfId.has(fn.constructId))
      problems.push(
        `${fn.logicalId} is deployed but no definition in definitions/service-functions.ts has the id ` +
          `${fn.constructId}, so it has no check`,
      );
  }
  for (const [name, definition] of Object.entries(definitions)) {
    if (!shipped.some((fn) => fn.constructId === definition.id))
      problems.push(`${name} (${definition.id}) is defined but the template has no such function`);
    if (!checks[name]) problems.push(`${name} has no check in test/artifacts/function-checks.ts`);
  }
  for (const name of Object.keys(checks)) {
    if (!(name in definitions)) problems.push(`the check ${name} names no defined function`);
  }
  return problems;
}
