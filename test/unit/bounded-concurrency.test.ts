import { BoundedTasks, chunks, mapWithConcurrency } from '../../functions/commons/bounded-concurrency';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapWithConcurrency: at most `concurrency` calls in flight, results in input order', () => {
  async function run(n: number, concurrency: number) {
    let inFlight = 0;
    let maxInFlight = 0;
    const started: number[] = [];
    const results = await mapWithConcurrency(
      Array.from({ length: n }, (_, i) => i),
      concurrency,
      async (item, index) => {
        started.push(index);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        for (let i = 0; i < ((item * 7) % 5) + 1; i++) await tick(); // finish out of order
        inFlight -= 1;
        return item * 10;
      },
    );
    return { results, maxInFlight, started };
  }

  it.each([
    [10, 1],
    [10, 3],
    [10, 10],
    [3, 16],
  ])('%p items with concurrency %p', async (n, concurrency) => {
    const { results, maxInFlight, started } = await run(n, concurrency);
    expect(results).toEqual(Array.from({ length: n }, (_, i) => i * 10));
    expect(maxInFlight).toBe(Math.min(n, concurrency));
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('starts items in input order', async () => {
    expect((await run(8, 3)).started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('no items → no calls, an empty result', async () => {
    const work = jest.fn(async () => 1);
    expect(await mapWithConcurrency([], 4, work)).toEqual([]);
    expect(work).not.toHaveBeenCalled();
  });

  it('a concurrency below 1 still makes progress, one at a time', async () => {
    const { results, maxInFlight } = await run(4, 0);
    expect(results).toEqual([0, 10, 20, 30]);
    expect(maxInFlight).toBe(1);
  });

  it('passes each item with its index', async () => {
    const seen: Array<[string, number]> = [];
    await mapWithConcurrency(['a', 'b', 'c'], 2, async (item, index) => void seen.push([item, index]));
    expect(seen.sort()).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('a rejected call rejects the whole run (callers turn failures into values first)', async () => {
    await expect(
      mapWithConcurrency([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error('boom');
        return item;
      }),
    ).rejects.toThrow('boom');
  });
});

describe('BoundedTasks: work arriving one task at a time, at most `limit` in flight', () => {
  it('never runs more than the limit, and `add` waits for a free slot (the producer stays close)', async () => {
    const tasks = new BoundedTasks(3);
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    for (let i = 0; i < 20; i++) {
      await tasks.add(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        for (let t = 0; t < (i % 4) + 1; t++) await tick();
        inFlight--;
        done++;
      });
      // Added tasks not yet finished never exceed the limit.
      expect(i + 1 - done).toBeLessThanOrEqual(3);
    }
    await tasks.drain();
    expect(done).toBe(20);
    expect(maxInFlight).toBe(3);
  });

  it('after a task fails, nothing more starts and both add and drain throw its error', async () => {
    const tasks = new BoundedTasks(2);
    const started: number[] = [];
    const failure = new Error('boom');
    await tasks.add(async () => {
      started.push(0);
      await tick();
      throw failure;
    });
    await tasks.add(async () => {
      started.push(1);
      await tick();
      await tick();
    });
    await expect(tasks.add(async () => void started.push(2))).rejects.toBe(failure);
    await expect(tasks.drain()).rejects.toBe(failure);
    expect(started).toEqual([0, 1]);
  });
});

describe('chunks', () => {
  it('cuts into consecutive parts, the last one shorter', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 25)).toEqual([]);
  });
});
