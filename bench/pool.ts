// Bounded concurrency: every loop here ends by count or by time.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `concurrency` in flight; collects results and errors in order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<{ results: (R | undefined)[]; errors: { index: number; error: Error }[] }> {
  const results: (R | undefined)[] = new Array(items.length);
  const errors: { index: number; error: Error }[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        errors.push({ index: i, error: err as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return { results, errors };
}

/**
 * A closed loop: `concurrency` lanes each run `fn` back to back until `durationMs` has passed. Only operations that
 * finish inside the window count; the ones in flight at its end are awaited but not counted.
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  fn: () => Promise<void>,
): Promise<{ completed: number; errors: number; firstError?: string; latenciesMs: number[] }> {
  const end = performance.now() + durationMs;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latenciesMs: number[] = [];
  const lane = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await fn();
        const t1 = performance.now();
        if (t1 <= end) {
          completed += 1;
          latenciesMs.push(t1 - t0);
        }
      } catch (err) {
        errors += 1;
        firstError ??= (err as Error).message;
        await sleep(100); // a failing dependency is not hammered
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { completed, errors, firstError, latenciesMs };
}
