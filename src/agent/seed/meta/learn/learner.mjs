/**
 * The offline learner (no LLM): fits a small linear model of one domain on the parent's train
 * examples (the workspace's examples/<domain>.json: inputs and labels; nothing of validation or test
 * reaches the program) and writes it as plain data for the task agent (task/models/<domain>.json).
 *
 * The features are the task agent's own (task/learned.mjs of the program being edited, loaded at run
 * time, so a model is always fitted over exactly the function that will evaluate it); how to learn
 * (feature families, vocabulary, model type, regularisation, epochs, ensembling) is this meta agent's
 * `learner` settings in meta/params.json. The regularisation strength is chosen by k-fold
 * cross-validation on train only, among the setting, a quarter of it and four times it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fitLogistic, fitNaiveBayes, fitScale, foldsOf, selectVocab } from './fit.mjs';

/** Domains the learner knows how to fit: classification with a fixed label set. */
export const LEARNABLE = ['paper-review', 'math-grading'];
const CLASS_ORDER = {
  'paper-review': ['accept', 'reject'],
  'math-grading': ['incorrect', 'partial', 'almost', 'correct'],
};
const MIN_EXAMPLES = 4;
const MAX_MEMBERS = 3;

/** The class an example's label stands for (`expected` where the engine gives it). */
export function labelOf(example) {
  const label = example?.expected ?? example?.label;
  if (typeof label === 'string') return label;
  if (typeof label?.grade === 'string') return label.grade;
  return undefined;
}

function heuristicSnapshot(params) {
  const { weights, bias, threshold, thresholds } = params ?? {};
  return JSON.parse(JSON.stringify({ weights, bias, threshold, thresholds }));
}

/**
 * Fits the model of `domain` and writes it; returns what was fitted ({ file, fit }) or
 * { skipped: reason }. `examplesFile` is the workspace's examples/<domain>.json (relative to
 * repoDir); `taskParams` is this domain's section of task/params.json (its `model`, if any, is the
 * parent's, which an ensemble keeps a share of).
 */
export async function learnDomain({ repoDir, domain, examplesFile, taskParams, settings, folds, rng }) {
  if (!LEARNABLE.includes(domain)) return { skipped: 'not a classification domain the learner knows' };
  const learnedFile = path.join(repoDir, 'task', 'learned.mjs');
  if (!examplesFile || !existsSync(path.join(repoDir, examplesFile))) return { skipped: 'no train examples' };
  if (!existsSync(learnedFile)) return { skipped: 'the task agent has no task/learned.mjs' };
  const task = await import(pathToFileURL(learnedFile).href);
  const examples = JSON.parse(readFileSync(path.join(repoDir, examplesFile), 'utf8')).examples ?? [];
  const labelled = examples.filter((e) => e?.input && labelOf(e) !== undefined);
  const classes = CLASS_ORDER[domain].filter((c) => labelled.some((e) => labelOf(e) === c));
  const usable = labelled.filter((e) => classes.includes(labelOf(e)));
  if (usable.length < MIN_EXAMPLES || classes.length < 2)
    return { skipped: `too few labelled train examples (${usable.length}, ${classes.length} class(es))` };

  const known = new Set(task.featureFamilies(domain));
  const families = (settings.families ?? []).filter((f) => known.has(f));
  if (families.length === 0)
    return { skipped: 'none of the chosen feature families is known to the task agent' };
  const base = { families, heuristicParams: heuristicSnapshot(taskParams) };
  const rows = usable.map((e) => ({
    x: task.featurize(domain, e.input, base),
    y: classes.indexOf(labelOf(e)),
  }));

  const type = settings.model === 'nb' ? 'nb' : 'lr';
  const regName = type === 'nb' ? 'alpha' : 'l2';
  const reg = settings[regName] ?? (type === 'nb' ? 1 : 0.01);
  const build = (train, regValue) => {
    const spec = { ...base };
    if (train.some((r) => Object.keys(r.x).some(task.isTokenFeature)))
      spec.vocab = selectVocab(train, classes.length, {
        vocabSize: settings.vocabSize ?? 1000,
        minDf: settings.minDf ?? 2,
        isToken: task.isTokenFeature,
      });
    if (type === 'lr')
      spec.scale = fitScale(
        train.map((r) => ({ x: task.restrict({ ...r.x }, { vocab: spec.vocab }) })),
        task.isTokenFeature,
      );
    const data = train.map((r) => ({ x: task.restrict({ ...r.x }, spec), y: r.y }));
    const fitted =
      type === 'nb'
        ? fitNaiveBayes(data, classes.length, { alpha: regValue })
        : fitLogistic(data, classes.length, {
            l2: regValue,
            epochs: settings.epochs ?? 200,
            learningRate: settings.learningRate ?? 0.5,
          });
    return { weight: 1, spec, ...fitted };
  };
  const accuracy = (member, test) => {
    let right = 0;
    for (const r of test) {
      const p = task.memberProbabilities(member, task.restrict({ ...r.x }, member.spec), classes);
      if (p.indexOf(Math.max(...p)) === r.y) right++;
    }
    return test.length > 0 ? right / test.length : 0;
  };

  const k = Math.max(2, Math.min(Math.round(folds ?? 4), rows.length));
  const fold = foldsOf(rows.length, k, rng);
  const candidates = [reg, reg / 4, reg * 4].map((value) => {
    let right = 0;
    for (let f = 0; f < k; f++) {
      const test = rows.filter((_, i) => fold[i] === f);
      right +=
        accuracy(
          build(
            rows.filter((_, i) => fold[i] !== f),
            value,
          ),
          test,
        ) * test.length;
    }
    return { [regName]: Number(value.toPrecision(4)), cvAccuracy: Number((right / rows.length).toFixed(4)) };
  });
  const best = candidates.reduce((a, c) => (c.cvAccuracy > a.cvAccuracy ? c : a));
  const member = build(rows, best[regName]);

  const relative = path.posix.join('models', `${domain}.json`);
  const parent = parentModel(repoDir, taskParams?.model);
  const share = Math.min(0.9, Math.max(0, settings.ensemble ?? 0));
  const keep =
    share > 0 && parent && JSON.stringify(parent.classes) === JSON.stringify(classes) ? parent.members : [];
  const total = keep.reduce((a, m) => a + (m.weight ?? 1), 0);
  const members = [
    { ...member, weight: keep.length > 0 ? 1 - share : 1 },
    ...keep.map((m) => ({ ...m, weight: Number((((m.weight ?? 1) / total) * share).toPrecision(4)) })),
  ].slice(0, MAX_MEMBERS);
  const fit = {
    by: 'offline learner (no LLM)',
    model: type,
    families,
    examples: rows.length,
    classes: classes.map((c) => [c, rows.filter((r) => classes[r.y] === c).length]),
    features: Object.keys(member.weights).length,
    vocab: member.spec.vocab?.length ?? 0,
    folds: k,
    candidates,
    cvAccuracy: best.cvAccuracy,
    trainAccuracy: Number(accuracy(member, rows).toFixed(4)),
    ensembled: keep.length,
    ids: usable.map((e) => e.id),
  };
  mkdirSync(path.join(repoDir, 'task', 'models'), { recursive: true });
  writeFileSync(
    path.join(repoDir, 'task', relative),
    `${JSON.stringify({ domain, classes, fit, members })}\n`,
  );
  return { file: relative, fit };
}

function parentModel(repoDir, file) {
  if (typeof file !== 'string') return null;
  try {
    const model = JSON.parse(readFileSync(path.join(repoDir, 'task', file), 'utf8'));
    return Array.isArray(model?.members) ? model : null;
  } catch {
    return null;
  }
}
