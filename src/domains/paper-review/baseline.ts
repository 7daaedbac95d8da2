/**
 * A hand-written, offline paper-review heuristic: a linear score over text features, thresholded.
 * Deliberately dependency-free and deterministic so the seed task agent can carry the same logic,
 * and every number in `PaperReviewParams` is a knob an evolutionary strategy may mutate. The seed's
 * copy (`src/agent/seed/task/heuristics/paper_review.mjs`) is the agent's and evolves; this one is the
 * host's fixed baseline.
 */

export interface PaperReviewParams {
  /** Weight per feature name (features are in [0, 1]); unknown names are ignored, missing ones count 0. */
  readonly weights: Readonly<Record<string, number>>;
  readonly bias: number;
  /** Predict accept when bias + sum(weight * feature) > threshold. */
  readonly threshold: number;
}

interface PaperText {
  readonly title: string;
  readonly abstract: string;
  readonly keywords?: readonly string[];
  readonly fullText?: string;
}

const count = (text: string, pattern: RegExp): number => (text.match(pattern) ?? []).length;
const capped = (x: number): number => Math.max(0, Math.min(1, x));

/** Feature name → value in [0, 1]. */
export function paperFeatures(input: PaperText): Record<string, number> {
  const abstract = input.abstract.toLowerCase();
  const words = abstract.split(/\s+/).filter(Boolean).length;
  return {
    abstractLength: capped(words / 250),
    titleLength: capped(input.title.split(/\s+/).filter(Boolean).length / 15),
    stateOfTheArt: capped(count(abstract, /state[- ]of[- ]the[- ]art|\bsota\b/g) / 2),
    outperforms: capped(count(abstract, /outperform|surpass|improves? (?:up)?on|better than/g) / 2),
    theory: capped(count(abstract, /theorem|\bprove|proof|\bbound|guarantee|converge/g) / 3),
    experiments: capped(count(abstract, /experiment|benchmark|imagenet|cifar|dataset/g) / 3),
    novelty: capped(count(abstract, /\bnovel|\bfirst\b|new (?:method|approach|framework)/g) / 2),
    numbers: capped(count(abstract, /\d+(?:\.\d+)?\s*%|\b\d+(?:\.\d+)?x\b/g) / 3),
    hedging: capped(count(abstract, /preliminary|we explore|attempt|\bmight\b|\bmay\b|workshop|toy/g) / 3),
    openSource: capped(count(abstract, /github|code is available|open[- ]source|we release/g)),
    keywordCount: capped((input.keywords?.length ?? 0) / 5),
  };
}

export const DEFAULT_PAPER_REVIEW_PARAMS: PaperReviewParams = {
  weights: {
    abstractLength: 0.4,
    titleLength: -0.2,
    stateOfTheArt: 0.5,
    outperforms: 0.3,
    theory: 0.6,
    experiments: -0.2,
    novelty: -0.3,
    numbers: 0.2,
    hedging: -0.8,
    openSource: 0.5,
    keywordCount: 0.1,
  },
  bias: 0,
  threshold: 0.4,
};

export function paperReviewScore(input: PaperText, params: PaperReviewParams): number {
  const features = paperFeatures(input);
  let score = params.bias;
  for (const [name, value] of Object.entries(features)) score += (params.weights[name] ?? 0) * value;
  return score;
}

export function paperReviewBaseline(
  input: PaperText,
  params: PaperReviewParams = DEFAULT_PAPER_REVIEW_PARAMS,
): 'accept' | 'reject' {
  return paperReviewScore(input, params) > params.threshold ? 'accept' : 'reject';
}
