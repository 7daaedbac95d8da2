/**
 * A node's score in one domain, per split. `val` is present when the domain has a validation split
 * and the node was evaluated on it; `train` is what the meta agent and the editable selector may
 * see. Test scores are deliberately not part of this type: they belong to release checks and
 * transfer reports, never to anything that steers evolution.
 */
export interface DomainScore {
  readonly train?: number;
  readonly val?: number;
}

/** Scores of one node by domain name. */
export type DomainScores = Readonly<Record<string, DomainScore | undefined>>;

function usable(x: number | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * The score that ranks a node in one domain (ARCHITECTURE: "on the validation split where a domain
 * has one, else train"): `val` when present, else `train`, else undefined. Decided per node, so a
 * caller must fill `val` for every node of a domain that has a validation split (staged and scaled
 * if need be, see `finalScore`), otherwise nodes would be ranked on different splits.
 */
export function rankingScore(score: DomainScore | undefined): number | undefined {
  if (!score) return undefined;
  if (usable(score.val)) return score.val;
  if (usable(score.train)) return score.train;
  return undefined;
}

/** Domains of the run in which the node has no ranking score. */
export function missingDomains(scores: DomainScores, domains: readonly string[]): string[] {
  return domains.filter((d) => rankingScore(scores[d]) === undefined);
}

/**
 * a_i: the mean over the run's domains of the ranking score. Throws when a domain has none: a node
 * without a score everywhere is not eligible and must not be ranked.
 */
export function meanRankingScore(scores: DomainScores, domains: readonly string[]): number {
  if (domains.length === 0) throw new RangeError('meanRankingScore: the run has no domains');
  let sum = 0;
  for (const d of domains) {
    const s = rankingScore(scores[d]);
    if (s === undefined) throw new RangeError(`meanRankingScore: no train or val score in domain '${d}'`);
    sum += s;
  }
  return sum / domains.length;
}

/**
 * The train score of each run domain (null where missing), built from an allow-list: the only view
 * of a node's results that may go to anything running inside the agent program (the meta agent's
 * history, the editable selector). Validation and test results never pass through it.
 */
export function trainScoresOf(
  scores: DomainScores,
  domains: readonly string[],
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const d of domains) {
    const train = scores[d]?.train;
    out[d] = usable(train) ? train : null;
  }
  return out;
}
