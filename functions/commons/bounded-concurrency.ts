/**
 * Runs `work` over `items` with at most `concurrency` calls in flight, keeping results in input
 * order. A rejected call rejects the whole run, so callers turn failures into values first.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  const workers = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/**
 * Work that arrives one task at a time (pages of a Query, lines of a file), run with at most
 * `limit` tasks in flight: `add` waits for a free slot before starting the task, so a producer
 * that awaits it never gets more than `limit` tasks ahead (memory stays flat), and `drain` waits
 * for the rest. After a task fails, `add` starts nothing more and both throw its error.
 */
export class BoundedTasks {
  private readonly running = new Set<Promise<void>>();
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= Math.max(1, this.limit) && !this.failure) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    const started: Promise<void> = task().then(
      () => void this.running.delete(started),
      (error: unknown) => {
        this.running.delete(started);
        this.failure ??= { error };
      },
    );
    this.running.add(started);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }
}

/** The items in consecutive parts of `size` (the last one shorter). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
