/**
 * A hand-written, offline grader: a linear quality score over features of the response compared
 * with the reference solution and guidelines, cut into four grades by ascending thresholds.
 * Dependency-free and deterministic so the seed task agent can carry the same logic; every number
 * in `MathGradingParams` is a knob an evolutionary strategy may mutate.
 */

export interface MathGradingParams {
  readonly weights: Readonly<Record<string, number>>;
  readonly bias: number;
  /** Ascending cut points: quality below [0] is incorrect, below [1] partial, below [2] almost, else correct. */
  readonly thresholds: readonly [number, number, number];
}

interface GradingText {
  readonly problem: string;
  readonly referenceSolution: string;
  readonly gradingGuidelines: string;
  readonly response: string;
}

const capped = (x: number): number => Math.max(0, Math.min(1, x));
const has = (text: string, pattern: RegExp): number => (pattern.test(text) ? 1 : 0);

/** Distinct lower-case words of 4+ letters and LaTeX commands: a crude bag of mathematical content. */
function terms(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/\\[a-z]+|[a-z]{4,}/g) ?? []);
}

function coverage(of: Set<string>, by: Set<string>): number {
  if (of.size === 0) return 0;
  let hit = 0;
  for (const t of of) if (by.has(t)) hit++;
  return hit / of.size;
}

/** Feature name → value in [0, 1]. */
export function gradingFeatures(input: GradingText): Record<string, number> {
  const response = input.response.toLowerCase();
  const responseTerms = terms(input.response);
  return {
    lengthRatio: capped(input.response.length / Math.max(1, 2 * input.referenceSolution.length)),
    referenceCoverage: coverage(terms(input.referenceSolution), responseTerms),
    guidelineCoverage: coverage(terms(input.gradingGuidelines), responseTerms),
    conclusion: has(response, /therefore|hence|thus|\\boxed|q\.e\.d|\\blacksquare|\\qed|this completes/),
    hedging: capped(
      (
        response.match(
          /conjecture|it seems|not sure|i think|unable to|cannot prove|without proof|assume that|omitted|left as/g,
        ) ?? []
      ).length / 3,
    ),
    short: has(response, /^[\s\S]{0,800}$/),
  };
}

export const DEFAULT_MATH_GRADING_PARAMS: MathGradingParams = {
  weights: {
    lengthRatio: 0.5,
    referenceCoverage: 1.0,
    guidelineCoverage: 0.5,
    conclusion: 0.2,
    hedging: -1.0,
    short: -0.5,
  },
  bias: 0,
  thresholds: [0.9, 1.05, 1.1],
};

export function gradingQuality(input: GradingText, params: MathGradingParams): number {
  let quality = params.bias;
  for (const [name, value] of Object.entries(gradingFeatures(input)))
    quality += (params.weights[name] ?? 0) * value;
  return quality;
}

export function mathGradingBaseline(
  input: GradingText,
  params: MathGradingParams = DEFAULT_MATH_GRADING_PARAMS,
): 'incorrect' | 'partial' | 'almost' | 'correct' {
  const q = gradingQuality(input, params);
  const [partial, almost, correct] = params.thresholds;
  if (q < partial) return 'incorrect';
  if (q < almost) return 'partial';
  if (q < correct) return 'almost';
  return 'correct';
}
