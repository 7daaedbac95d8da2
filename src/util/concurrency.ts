/**
 * `fn` over `items` with at most `limit` calls in flight; results in input order. The first
 * rejection is thrown once running calls settle (no new ones start after it).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`mapLimit: limit ${limit} must be >= 1`);
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let error: unknown;
  async function worker(): Promise<void> {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw error;
  return out;
}

/** `make` called once per distinct `keyOf(key)`; later calls return the first result (a promise, too). */
export function memoize<K, V>(make: (key: K) => V, keyOf: (key: K) => string = String): (key: K) => V {
  const cache = new Map<string, V>();
  return (key: K) => {
    const k = keyOf(key);
    if (!cache.has(k)) cache.set(k, make(key));
    return cache.get(k)!;
  };
}
