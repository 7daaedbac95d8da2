/**
 * Plain-JS model fitting for the offline learner: vocabulary selection, multinomial naive Bayes and
 * L2-regularised multinomial logistic regression over sparse features, and k-fold cross-validation.
 * Rows are { x: { feature: value }, y: class index }. Every model is linear per class (a bias and one
 * weight per feature and class), the form task/learned.mjs evaluates. Deterministic: the only
 * randomness is the fold assignment, drawn from the seeded rng passed in.
 */

const round = (x) => Number(x.toPrecision(5));

/**
 * Token features (those `isToken` names: the task agent says which of its features are word-like)
 * worth keeping: seen in at least `minDf` rows, ranked by a chi-square of their presence against the
 * classes, the best `vocabSize`. Ties break by name.
 */
export function selectVocab(rows, nClasses, { vocabSize, minDf, isToken }) {
  const perClass = new Array(nClasses).fill(0);
  for (const r of rows) perClass[r.y]++;
  const df = new Map();
  for (const r of rows)
    for (const k of Object.keys(r.x)) {
      if (!isToken(k)) continue;
      let counts = df.get(k);
      if (!counts) df.set(k, (counts = new Array(nClasses).fill(0)));
      counts[r.y]++;
    }
  const n = rows.length;
  const scored = [];
  for (const [k, counts] of df) {
    const total = counts.reduce((a, b) => a + b, 0);
    if (total < minDf) continue;
    let chi = 0;
    for (let c = 0; c < nClasses; c++) {
      const expected = (total * perClass[c]) / n;
      chi += (counts[c] - expected) ** 2 / (expected + 1);
    }
    scored.push([k, chi]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return scored.slice(0, Math.max(0, Math.round(vocabSize))).map(([k]) => k);
}

/** Mean and standard deviation of every non-token feature ({ name: [mean, sd] }); constant ones are left out. */
export function fitScale(rows, isToken) {
  const names = new Set();
  for (const r of rows) for (const k of Object.keys(r.x)) if (!isToken(k)) names.add(k);
  const scale = {};
  for (const k of [...names].sort()) {
    const values = rows.map((r) => r.x[k] ?? 0);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    if (sd > 1e-9) scale[k] = [round(mean), round(Math.max(sd, 1e-3))];
  }
  return scale;
}

/** Index the features of the rows: { names, rows: [{ idx: Int32Array, val: Float64Array, y }] }. */
function indexed(rows) {
  const names = [];
  const at = new Map();
  const out = rows.map((r) => {
    const entries = Object.entries(r.x).filter(([, v]) => v !== 0);
    const idx = new Int32Array(entries.length);
    const val = new Float64Array(entries.length);
    entries.forEach(([k, v], i) => {
      if (!at.has(k)) {
        at.set(k, names.length);
        names.push(k);
      }
      idx[i] = at.get(k);
      val[i] = v;
    });
    return { idx, val, y: r.y };
  });
  return { names, rows: out };
}

function asMember(names, nClasses, bias, w) {
  const weights = {};
  names.forEach((k, f) => {
    const ws = Array.from({ length: nClasses }, (_, c) => w[f * nClasses + c]);
    if (ws.some((x) => Math.abs(x) > 1e-6)) weights[k] = ws.map(round);
  });
  return { bias: Array.from(bias, round), weights };
}

/** Multinomial logistic regression by full-batch gradient descent with an L2 penalty. */
export function fitLogistic(rows, nClasses, { l2, epochs, learningRate }) {
  const { names, rows: data } = indexed(rows);
  const C = nClasses;
  const w = new Float64Array(names.length * C);
  const b = new Float64Array(C);
  const gw = new Float64Array(w.length);
  const gb = new Float64Array(C);
  const p = new Float64Array(C);
  const n = data.length;
  for (let epoch = 0; epoch < Math.round(epochs); epoch++) {
    gw.fill(0);
    gb.fill(0);
    for (const r of data) {
      for (let c = 0; c < C; c++) p[c] = b[c];
      for (let i = 0; i < r.idx.length; i++) {
        const base = r.idx[i] * C;
        for (let c = 0; c < C; c++) p[c] += w[base + c] * r.val[i];
      }
      let top = -Infinity;
      for (let c = 0; c < C; c++) top = Math.max(top, p[c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c] - top);
      for (let c = 0; c < C; c++) {
        const d = p[c] / sum - (c === r.y ? 1 : 0);
        gb[c] += d;
        for (let i = 0; i < r.idx.length; i++) gw[r.idx[i] * C + c] += d * r.val[i];
      }
    }
    for (let j = 0; j < w.length; j++) w[j] -= learningRate * (gw[j] / n + l2 * w[j]);
    for (let c = 0; c < C; c++) b[c] -= (learningRate * gb[c]) / n;
  }
  return asMember(names, C, b, w);
}

/**
 * Multinomial naive Bayes with additive smoothing `alpha`: feature values count as occurrences;
 * features that are ever negative are not counts and are left out.
 */
export function fitNaiveBayes(rows, nClasses, { alpha }) {
  const negative = new Set();
  for (const r of rows) for (const [k, v] of Object.entries(r.x)) if (v < 0) negative.add(k);
  const { names, rows: data } = indexed(
    rows.map((r) => ({
      y: r.y,
      x: Object.fromEntries(Object.entries(r.x).filter(([k]) => !negative.has(k))),
    })),
  );
  const C = nClasses;
  const counts = new Float64Array(names.length * C);
  const totals = new Float64Array(C);
  const docs = new Float64Array(C);
  for (const r of data) {
    docs[r.y]++;
    for (let i = 0; i < r.idx.length; i++) {
      counts[r.idx[i] * C + r.y] += r.val[i];
      totals[r.y] += r.val[i];
    }
  }
  const w = new Float64Array(counts.length);
  for (let f = 0; f < names.length; f++)
    for (let c = 0; c < C; c++)
      w[f * C + c] = Math.log((counts[f * C + c] + alpha) / (totals[c] + alpha * names.length));
  const b = Array.from(docs, (d) => Math.log((d + 1) / (data.length + C)));
  return asMember(names, C, b, w);
}

/** Fold number (0..k-1) of each of n rows: a seeded shuffle dealt round-robin. */
export function foldsOf(n, k, rng) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Array(n);
  order.forEach((row, i) => (fold[row] = i % k));
  return fold;
}
