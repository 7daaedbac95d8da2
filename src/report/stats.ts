/**
 * Summaries over repeated runs, pure: the median and spread of a score over seeds, and a run's
 * best-so-far curve over generations. Shared by the bench scripts (bench/runs.ts) and the charts.
 */

/** The median of `xs` (the mean of the two middle values for an even count); undefined when empty. */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

/** Median, minimum and maximum of the defined values, and how many there were. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: ReadonlyArray<number | undefined>): Spread | undefined {
  const ys = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (ys.length === 0) return undefined;
  return { median: median(ys)!, min: Math.min(...ys), max: Math.max(...ys), n: ys.length };
}

/** A score with three decimals (`+` on non-negative values when `sign`), `—` when absent. */
export function fmtScore(x: number | undefined, sign = false): string {
  return x === undefined ? '—' : `${sign && x >= 0 ? '+' : ''}${x.toFixed(3)}`;
}

/** `median (min … max)`, or `—` when there is nothing to summarise. */
export function fmtSpread(s: Spread | undefined, sign = false): string {
  return s === undefined
    ? '—'
    : `${fmtScore(s.median, sign)} (${fmtScore(s.min, sign)} … ${fmtScore(s.max, sign)})`;
}

/** One node's score at its generation (undefined: the node has no score that counts). */
export interface GenerationScore {
  generation: number;
  score: number | undefined;
}

/**
 * The best score reached up to each generation from 0 to `lastGeneration` (default: the last one
 * seen); undefined until a first score exists. Non-decreasing by construction.
 */
export function bestSoFar(
  points: readonly GenerationScore[],
  lastGeneration = Math.max(0, ...points.map((p) => p.generation)),
): Array<number | undefined> {
  const bestAt: Array<number | undefined> = Array.from({ length: lastGeneration + 1 }, () => undefined);
  for (const p of points) {
    if (p.score === undefined || p.generation < 0 || p.generation > lastGeneration) continue;
    const cur = bestAt[p.generation];
    bestAt[p.generation] = cur === undefined ? p.score : Math.max(cur, p.score);
  }
  let best: number | undefined;
  return bestAt.map((s) => {
    if (s !== undefined) best = best === undefined ? s : Math.max(best, s);
    return best;
  });
}

/** Per generation, the median over runs of their curves (runs without a value there are left out). */
export function medianCurve(
  curves: ReadonlyArray<ReadonlyArray<number | undefined>>,
): Array<number | undefined> {
  const length = Math.max(0, ...curves.map((c) => c.length));
  return Array.from({ length }, (_, g) => spread(curves.map((c) => c[g]))?.median);
}
