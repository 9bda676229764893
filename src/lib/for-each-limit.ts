/**
 * Runs `work` for every item, at most `limit` at once, and resolves when all are done. The first
 * failure rejects (after the ones in flight finish); items not started by then are not started.
 */
export async function forEachLimit<T>(
  items: Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && queue.length > 0) {
      const item = queue.shift() as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, lane));
  if (failure) throw failure.error;
}
