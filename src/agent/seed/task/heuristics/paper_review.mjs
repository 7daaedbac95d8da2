/**
 * Offline paper review: a linear score over text features of the title and abstract, thresholded.
 * Every number (feature weights, bias, threshold) lives in task/params.json so evolution can tune it.
 */

const count = (text, pattern) => (text.match(pattern) ?? []).length;
const capped = (x) => Math.max(0, Math.min(1, x));

/** Feature name → value in [0, 1]. */
export function paperFeatures(input) {
  const abstract = String(input.abstract ?? '').toLowerCase();
  const title = String(input.title ?? '');
  const words = abstract.split(/\s+/).filter(Boolean).length;
  return {
    abstractLength: capped(words / 250),
    titleLength: capped(title.split(/\s+/).filter(Boolean).length / 15),
    stateOfTheArt: capped(count(abstract, /state[- ]of[- ]the[- ]art|\bsota\b/g) / 2),
    outperforms: capped(count(abstract, /outperform|surpass|improves? (?:up)?on|better than/g) / 2),
    theory: capped(count(abstract, /theorem|\bprove|proof|\bbound|guarantee|converge/g) / 3),
    experiments: capped(count(abstract, /experiment|benchmark|imagenet|cifar|dataset/g) / 3),
    novelty: capped(count(abstract, /\bnovel|\bfirst\b|new (?:method|approach|framework)/g) / 2),
    numbers: capped(count(abstract, /\d+(?:\.\d+)?\s*%|\b\d+(?:\.\d+)?x\b/g) / 3),
    hedging: capped(count(abstract, /preliminary|we explore|attempt|\bmight\b|\bmay\b|workshop|toy/g) / 3),
    openSource: capped(count(abstract, /github|code is available|open[- ]source|we release/g)),
    keywordCount: capped((Array.isArray(input.keywords) ? input.keywords.length : 0) / 5),
  };
}

export function paperScore(input, params) {
  let score = params.bias ?? 0;
  for (const [name, value] of Object.entries(paperFeatures(input)))
    score += (params.weights?.[name] ?? 0) * value;
  return score;
}

export function reviewPaper(input, params) {
  const score = paperScore(input, params);
  return { prediction: score > (params.threshold ?? 0) ? 'accept' : 'reject', score };
}
