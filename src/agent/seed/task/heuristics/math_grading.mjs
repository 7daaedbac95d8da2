/**
 * Offline proof grading: a linear quality score over how the response compares with the reference
 * solution and guidelines, cut into the four grades by ascending thresholds from task/params.json.
 */

export const GRADES = ['incorrect', 'partial', 'almost', 'correct'];

const capped = (x) => Math.max(0, Math.min(1, x));
const has = (text, pattern) => (pattern.test(text) ? 1 : 0);

/** Distinct lower-case words of 4+ letters and LaTeX commands: a crude bag of mathematical content. */
function terms(text) {
  return new Set(
    String(text ?? '')
      .toLowerCase()
      .match(/\\[a-z]+|[a-z]{4,}/g) ?? [],
  );
}

function coverage(of, by) {
  if (of.size === 0) return 0;
  let hit = 0;
  for (const t of of) if (by.has(t)) hit++;
  return hit / of.size;
}

/** Feature name → value in [0, 1]. */
export function gradingFeatures(input) {
  const responseText = String(input.response ?? '');
  const response = responseText.toLowerCase();
  const reference = String(input.referenceSolution ?? '');
  const responseTerms = terms(responseText);
  const hedges =
    /conjecture|it seems|not sure|i think|unable to|cannot prove|without proof|assume that|omitted|left as/g;
  return {
    lengthRatio: capped(responseText.length / Math.max(1, 2 * reference.length)),
    referenceCoverage: coverage(terms(reference), responseTerms),
    guidelineCoverage: coverage(terms(input.gradingGuidelines), responseTerms),
    conclusion: has(response, /therefore|hence|thus|\\boxed|q\.e\.d|\\blacksquare|\\qed|this completes/),
    hedging: capped((response.match(hedges) ?? []).length / 3),
    short: has(response, /^[\s\S]{0,800}$/),
  };
}

export function gradingQuality(input, params) {
  let quality = params.bias ?? 0;
  for (const [name, value] of Object.entries(gradingFeatures(input)))
    quality += (params.weights?.[name] ?? 0) * value;
  return quality;
}

export function gradeProof(input, params) {
  const quality = gradingQuality(input, params);
  // Sorted here, not in task/params.json, so a mutation that crosses two thresholds still means something.
  const [partial, almost, correct] = [...(params.thresholds ?? [0.9, 1.05, 1.1])].sort((a, b) => a - b);
  let prediction = 'correct';
  if (quality < partial) prediction = 'incorrect';
  else if (quality < almost) prediction = 'partial';
  else if (quality < correct) prediction = 'almost';
  return { prediction, quality };
}
