/**
 * The task agent's learned offline path: a linear model written as plain data by the meta agent's
 * learner (task/models/<domain>.json, named by `model` in this domain's task/params.json section).
 *
 * A model file is { domain, classes, members: [{ weight, spec, bias: [..per class], weights:
 * { feature: [..per class] } }], fit: {...} }. Each member scores every class linearly over the
 * features `featurize` computes from the input under the member's `spec`; the prediction is the class
 * with the highest weighted sum of the members' class probabilities. The features are defined here,
 * by the task agent (the meta agent's learner fits weights over this very function), and the spec
 * (families, vocabulary, scaling, the heuristic's parameters) is data in the model file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gradeProof, gradingFeatures, gradingQuality } from './heuristics/math_grading.mjs';
import { paperFeatures, paperScore } from './heuristics/paper_review.mjs';

const TOKEN = /[a-z][a-z0-9]+/g;
const tokens = (text) =>
  String(text ?? '')
    .toLowerCase()
    .match(TOKEN) ?? [];
const terms = (text) =>
  new Set(
    String(text ?? '')
      .toLowerCase()
      .match(/\\[a-z]+|[a-z]{4,}/g) ?? [],
  );
const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));

function coverage(of, by) {
  if (of.size === 0) return 0;
  let hit = 0;
  for (const t of of) if (by.has(t)) hit++;
  return hit / of.size;
}

function addTokens(out, list, prefix) {
  for (const t of list) out[`${prefix}:${t}`] = 1;
}

/** The part of the guidelines under a "(Partial)" or "(Almost)" heading. */
function guidelineSection(text, name) {
  const m = String(text ?? '').match(new RegExp(`\\(${name}\\)([\\s\\S]*?)(?=\\n\\s*\\([A-Z][a-z]+\\)|$)`));
  return m ? m[1] : '';
}

const families = {
  'paper-review': {
    words: (input, out) => addTokens(out, tokens(`${input.title ?? ''} ${input.abstract ?? ''}`), 'w'),
    bigrams: (input, out) => {
      const list = tokens(input.abstract);
      for (let i = 1; i < list.length; i++) out[`b:${list[i - 1]}_${list[i]}`] = 1;
    },
    title: (input, out) => addTokens(out, tokens(input.title), 't'),
    // Each keyword the authors chose, whole ("reinforcement learning"), as one token feature.
    keywords: (input, out) => {
      const list = Array.isArray(input.keywords) ? input.keywords : [];
      for (const k of list) out[`k:${tokens(k).join('_')}`] = 1;
    },
    heuristic: (input, out, spec) => {
      for (const [k, v] of Object.entries(paperFeatures(input))) out[`h:${k}`] = v;
      out['h:score'] = paperScore(input, spec.heuristicParams ?? {});
    },
  },
  'math-grading': {
    words: (input, out) => addTokens(out, tokens(input.response), 'w'),
    heuristic: (input, out, spec) => {
      for (const [k, v] of Object.entries(gradingFeatures(input))) out[`h:${k}`] = v;
      const params = spec.heuristicParams ?? {};
      out['h:quality'] = gradingQuality(input, params);
      out[`h:grade=${gradeProof(input, params).prediction}`] = 1;
    },
    length: (input, out) => {
      const r = String(input.response ?? '').length;
      const ref = String(input.referenceSolution ?? '').length;
      out['len:response'] = Math.log1p(r) / 10;
      out['len:ratio'] = clamp(Math.log((r + 1) / (ref + 1)), -3, 3) / 3;
    },
    overlap: (input, out) => {
      const resp = terms(input.response);
      const ref = terms(input.referenceSolution);
      const union = new Set([...resp, ...ref]);
      let both = 0;
      for (const t of resp) if (ref.has(t)) both++;
      out['ov:jaccard'] = union.size > 0 ? both / union.size : 0;
      out['ov:precision'] = coverage(resp, new Set([...ref, ...terms(input.problem)]));
    },
    hedging: (input, out) => {
      const text = String(input.response ?? '').toLowerCase();
      const count = (re) => (text.match(re) ?? []).length;
      out['hedge:uncertain'] = Math.min(
        1,
        count(/conjecture|it seems|not sure|i think|probably|likely|we guess|heuristic/g) / 3,
      );
      out['hedge:gap'] = Math.min(
        1,
        count(/without proof|omitted|left as|we skip|for brevity|similarly|clearly|obviously|it is easy/g) /
          3,
      );
      out['hedge:unable'] = Math.min(1, count(/unable to|cannot prove|could not|incomplete|fails? to/g) / 2);
    },
    guidelines: (input, out) => {
      const resp = terms(input.response);
      out['g:partial'] = coverage(terms(guidelineSection(input.gradingGuidelines, 'Partial')), resp);
      out['g:almost'] = coverage(terms(guidelineSection(input.gradingGuidelines, 'Almost')), resp);
      out['g:all'] = coverage(terms(input.gradingGuidelines), resp);
    },
  },
};

/** Feature families the task agent knows for a domain (the learner chooses among these). */
export function featureFamilies(domain) {
  return Object.keys(families[domain] ?? {});
}

/**
 * Sparse features { name: value } of one input under `spec` ({ families, vocab?, scale? }): every
 * feature of the chosen families; with `vocab`, token features (w:, t:, b:, k:) outside it are dropped;
 * with `scale` ({ name: [mean, sd] }), those features are standardised.
 */
export function featurize(domain, input, spec) {
  const out = {};
  for (const family of spec.families ?? []) families[domain]?.[family]?.(input ?? {}, out, spec);
  return restrict(out, spec);
}

/** Word-like features (present or not, many of them), which a vocabulary selects among: w:, t:, b:, k:. */
export const isTokenFeature = (name) => /^[wtbk]:/.test(name);

/** The vocabulary and scaling of `spec` applied to features computed without them (in place). */
export function restrict(out, spec) {
  if (spec.vocab) {
    const keep = new Set(spec.vocab);
    for (const k of Object.keys(out)) if (isTokenFeature(k) && !keep.has(k)) delete out[k];
  }
  for (const [k, [mean, sd]] of Object.entries(spec.scale ?? {})) out[k] = ((out[k] ?? 0) - mean) / sd;
  return out;
}

/** Class probabilities of one member over already computed features. */
export function memberProbabilities(member, features, classes) {
  const scores = classes.map((_, c) => member.bias?.[c] ?? 0);
  for (const [k, v] of Object.entries(features)) {
    const w = member.weights?.[k];
    if (w) for (let c = 0; c < classes.length; c++) scores[c] += w[c] * v;
  }
  const top = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - top));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

/** { prediction, probabilities } of a model for one input; `classBias` (params) shifts the class scores. */
export function predictWithModel(model, input, classBias = {}) {
  const classes = model.classes;
  const total = classes.map(() => 0);
  for (const member of model.members) {
    const p = memberProbabilities(member, featurize(model.domain, input, member.spec), classes);
    for (let c = 0; c < classes.length; c++) total[c] += (member.weight ?? 1) * p[c];
  }
  let best = 0;
  const shifted = total.map((t, c) => Math.log(Math.max(t, 1e-12)) + (classBias[classes[c]] ?? 0));
  for (let c = 1; c < classes.length; c++) if (shifted[c] > shifted[best]) best = c;
  return { prediction: classes[best], probabilities: total.map((t) => Number(t.toFixed(4))) };
}

const models = new Map();
/** The model file under task/ (cached), or null when it is missing or unreadable. */
export function loadModel(taskDir, file) {
  const full = path.join(taskDir, file);
  if (!models.has(full)) {
    try {
      const model = JSON.parse(readFileSync(full, 'utf8'));
      models.set(full, Array.isArray(model?.members) && Array.isArray(model?.classes) ? model : null);
    } catch {
      models.set(full, null);
    }
  }
  return models.get(full);
}
