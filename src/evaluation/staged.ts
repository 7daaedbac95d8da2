/**
 * Staged evaluation (ARCHITECTURE "The method, exactly"): a small seeded subset of a split first,
 * the full split only when the staged score clears the domain's gate; a node that never got a full
 * evaluation keeps its staged score scaled by the fraction of the split it was evaluated on.
 */

import { DEFAULT_STAGED } from '../domains/contract';
import type { Rng } from '../util/random';

/**
 * The staged subset: `min(sampleSize, n)` distinct ids drawn uniformly with a partial Fisher-Yates
 * shuffle (one rng step per drawn id; none when the whole split fits), returned in split order so
 * reports read naturally. Feed the same stream to every node of a run (e.g. one seeded by run seed
 * and domain) if nodes are to be gated on the same tasks.
 */
export function stagedPlan(
  taskIds: readonly string[],
  sampleSize: number = DEFAULT_STAGED.sampleSize,
  rng: Pick<Rng, 'next'>,
): string[] {
  if (!Number.isInteger(sampleSize) || sampleSize < 1) {
    throw new RangeError(`stagedPlan: sample size must be a positive integer, got ${sampleSize}`);
  }
  if (new Set(taskIds).size !== taskIds.length) throw new RangeError('stagedPlan: task ids are not unique');
  if (sampleSize >= taskIds.length) return [...taskIds];
  const order = taskIds.map((_, i) => i);
  for (let i = 0; i < sampleSize; i++) {
    const j = i + Math.floor(rng.next() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order
    .slice(0, sampleSize)
    .sort((a, b) => a - b)
    .map((i) => taskIds[i]!);
}

/** Whether the full split is evaluated next: strictly above the gate (a staged 0 never passes gate 0). */
export function passesGate(stagedScore: number, gate: number = DEFAULT_STAGED.gate): boolean {
  return Number.isFinite(stagedScore) && stagedScore > gate;
}

/** The score of one evaluation of a split: its primary metric and how many tasks it covered. */
export interface SplitResult {
  readonly score: number;
  readonly evaluated: number;
}

export interface FinalScoreInput {
  readonly staged: SplitResult;
  readonly full?: SplitResult;
  /** Number of tasks in the whole split. */
  readonly splitSize: number;
}

export interface FinalScore {
  readonly score: number;
  /** 'full': the full split's score; 'staged-scaled': staged × evaluated / splitSize. */
  readonly basis: 'full' | 'staged-scaled';
}

/**
 * The score a node keeps for a split. With a full evaluation, its score. Without one, the staged
 * mean × n_staged / n_split: the unevaluated tasks count as failed, so a node cannot outrank fully
 * evaluated ones on a lucky small sample. When the staged subset was the whole split the factor is 1.
 */
export function finalScore({ staged, full, splitSize }: FinalScoreInput): FinalScore {
  if (!Number.isInteger(splitSize) || splitSize < 1) {
    throw new RangeError(`finalScore: split size must be a positive integer, got ${splitSize}`);
  }
  if (full) return { score: full.score, basis: 'full' };
  if (!Number.isInteger(staged.evaluated) || staged.evaluated < 0 || staged.evaluated > splitSize) {
    throw new RangeError(`finalScore: ${staged.evaluated} staged tasks for a split of ${splitSize}`);
  }
  return { score: (staged.score * staged.evaluated) / splitSize, basis: 'staged-scaled' };
}
