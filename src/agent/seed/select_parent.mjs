/**
 * The program's own parent selector (used when the run is configured with the editable selector).
 * Input (hyperagents.select_parent.v1): { generation, domains, seed, candidates: [{ id, generation,
 * childCount, trainScores, trainMean }] }, eligible nodes only and train scores only.
 * Output: { parentId }.
 *
 * The seed implements score_child_prop (DGM-H): m = mean of the top-3 scores,
 * w_i = sigmoid(10·(a_i − m)) · exp(−(n_i/8)^3), P(i) ∝ w_i, drawn with the input's seed.
 */

/**
 * The first draw of a mulberry32 stream seeded by an FNV-1a hash of `seed`. Kept here rather than
 * shared: the selector belongs to neither agent, so it must not change when either agent's files do.
 */
function firstDraw(seed) {
  const text = String(seed);
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193) >>> 0;
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** a_i: trainMean, else the mean of the train scores present, else 0. */
function scoreOf(candidate) {
  if (typeof candidate.trainMean === 'number' && Number.isFinite(candidate.trainMean))
    return candidate.trainMean;
  const values = Object.values(candidate.trainScores ?? {}).filter(
    (v) => typeof v === 'number' && Number.isFinite(v),
  );
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

export function scoreChildPropWeights(candidates) {
  const scores = candidates.map(scoreOf);
  const top = [...scores].sort((a, b) => b - a).slice(0, 3);
  const m = top.reduce((s, x) => s + x, 0) / top.length;
  return candidates.map(
    (c, i) => sigmoid(10 * (scores[i] - m)) * Math.exp(-Math.pow((c.childCount ?? 0) / 8, 3)),
  );
}

export function selectParent(input) {
  const candidates = Array.isArray(input?.candidates) ? input.candidates : [];
  if (candidates.length === 0) throw new Error('select_parent: no candidates');
  const weights = scoreChildPropWeights(candidates);
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0)) return { parentId: candidates[0].id };
  let u = firstDraw(input.seed ?? 0) * total;
  for (let i = 0; i < candidates.length; i++) {
    u -= weights[i];
    if (u < 0) return { parentId: candidates[i].id };
  }
  return { parentId: candidates[candidates.length - 1].id };
}
