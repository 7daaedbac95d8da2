import type { DomainScore } from './scores';

export type EvalSplit = 'train' | 'val' | 'test';

/** One task's outcome. `score` null: the agent produced nothing usable (crash, timeout); it counts as 0. */
export interface TaskResult {
  readonly domain: string;
  readonly split: EvalSplit;
  readonly taskId: string;
  readonly score: number | null;
}

/** A domain's own aggregation (the `aggregate` of the domain contract); its `score` is the primary metric. */
export type Aggregator = (perTask: readonly { readonly score: number }[]) => {
  readonly score: number;
  readonly [metric: string]: number;
};

export interface DomainMetrics {
  readonly domain: string;
  readonly split: EvalSplit;
  /** The primary metric. */
  readonly score: number;
  readonly evaluated: number;
  /** Tasks with a null score (counted as 0 in `score`). */
  readonly failed: number;
  /** Everything the aggregator returned, `score` included. */
  readonly metrics: Readonly<Record<string, number>>;
}

const meanAggregator: Aggregator = (perTask) => ({
  score: perTask.length === 0 ? 0 : perTask.reduce((s, t) => s + t.score, 0) / perTask.length,
});

/**
 * Groups per-task scores by (domain, split), in order of first appearance, and aggregates each group
 * with the domain's aggregator (default: the mean). Throws on a duplicate task or a score that is
 * not a finite number (a host-side bug, not an agent's fault).
 */
export function aggregateTaskScores(
  results: readonly TaskResult[],
  aggregators: Readonly<Record<string, Aggregator>> = {},
): DomainMetrics[] {
  const groups = new Map<string, { domain: string; split: EvalSplit; ids: Set<string>; scores: number[] }>();
  const failedByGroup = new Map<string, number>();
  for (const r of results) {
    const key = `${r.domain}\u0000${r.split}`;
    let g = groups.get(key);
    if (!g) {
      g = { domain: r.domain, split: r.split, ids: new Set(), scores: [] };
      groups.set(key, g);
    }
    if (g.ids.has(r.taskId))
      throw new RangeError(`aggregate: task '${r.taskId}' twice in ${r.domain}/${r.split}`);
    g.ids.add(r.taskId);
    if (r.score !== null && !Number.isFinite(r.score)) {
      throw new RangeError(`aggregate: task '${r.taskId}' in ${r.domain}/${r.split} has score ${r.score}`);
    }
    if (r.score === null) failedByGroup.set(key, (failedByGroup.get(key) ?? 0) + 1);
    g.scores.push(r.score ?? 0);
  }
  return [...groups.entries()].map(([key, g]) => {
    const metrics = (aggregators[g.domain] ?? meanAggregator)(g.scores.map((score) => ({ score })));
    return {
      domain: g.domain,
      split: g.split,
      score: metrics.score,
      evaluated: g.scores.length,
      failed: failedByGroup.get(key) ?? 0,
      metrics: { ...metrics },
    };
  });
}

/**
 * Per-domain {train?, val?} from split scores (e.g. `finalScore` results), the shape selection and
 * eligibility read. Test scores are dropped on purpose: they never steer evolution.
 */
export function toDomainScores(
  entries: readonly { readonly domain: string; readonly split: EvalSplit; readonly score: number }[],
): Record<string, DomainScore> {
  const out: Record<string, { train?: number; val?: number }> = {};
  for (const e of entries) {
    if (e.split === 'test') continue;
    const d = (out[e.domain] ??= {});
    d[e.split] = e.score;
  }
  return out;
}
