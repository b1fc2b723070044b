/**
 * How large an answer may grow, in the bytes Lambda counts — supplied by the adapter that
 * serializes the answer (functions/measurements-api/), so a use case can stop a page where the
 * answer would outgrow Lambda's response limit and hand the rest to the next page, as it does at
 * `limit`.
 */
export interface AnswerBudget {
  /** The most the whole answer may take, as `bytesOf` counts it. */
  readonly maxBytes: number;
  /** The whole answer's bytes with this as its data. */
  readonly bytesOf: (data: unknown) => number;
  /** The bytes a JSON value adds to the answer where it stands: an element of an array, a property's value. */
  readonly costOf: (value: unknown) => number;
}

/**
 * How many of `items` (in answer order) fit in `room` bytes, together with what the cursor after
 * the last one kept costs (`cursorCost(kept)`, given how many are kept). At least one, so every
 * page moves on; a single row is far below any budget, by what validation lets a row hold.
 */
export function fittingCount<T>(
  items: readonly T[],
  room: number,
  costOf: (item: T) => number,
  cursorCost: (kept: number) => number,
): number {
  const costs: number[] = [];
  let used = 0;
  for (const item of items) {
    // Elements after the first are preceded by a comma.
    const cost = costOf(item) + (costs.length > 0 ? 1 : 0);
    if (used + cost > room) break;
    costs.push(cost);
    used += cost;
  }
  let kept = costs.length;
  while (kept > 1 && used + cursorCost(kept) > room) used -= costs[--kept]!;
  return Math.min(items.length, Math.max(kept, 1));
}
