/**
 * The offline strategy's variation operator: a self-adaptive mutation as in evolution strategies.
 * The meta agent's own rates (meta/params.json) mutate first (step sizes log-normally,
 * σ' = σ·exp(τ·N(0,1)); rates by a logistic step that keeps them in (0, 1)), then the task agent's
 * parameters (task/params.json) mutate with the new rates, so rates that produce good children are
 * inherited along with them. Pure: the only randomness is the seeded `rng` passed in.
 */
import { getPath, leaves, setPath, tidy } from './params.mjs';

const clamp = (x, [lo, hi]) => Math.min(hi, Math.max(lo, x));

/** Logistic self-adaptation of a probability (Bäck's rule for mutation rates). */
function adaptRate(rate, step) {
  const r = Math.min(0.999, Math.max(0.001, rate));
  return 1 / (1 + ((1 - r) / r) * Math.exp(-step));
}

/**
 * `task` is task/params.json ({ domains }), `meta` is meta/params.json. Returns { task, meta, changes }:
 * mutated copies, and { path, from, to } for every value changed (meta first; paths start with
 * `meta.` or `domains.`). `domains` limits which task-agent sections mutate; names the task agent's
 * parameters do not know are ignored (all sections if none is known); `skip` sections never mutate.
 */
export function mutateParams({ task, meta: metaIn }, rng, domains = [], skip = []) {
  const next = JSON.parse(JSON.stringify(task));
  const meta = JSON.parse(JSON.stringify(metaIn));
  const changes = [];
  const record = (path, from, to) => changes.push({ path, from, to });
  const tau = meta.tau ?? 0.3;
  const stepBounds = meta.bounds?.stepSize ?? [0.001, 2];
  const rateBounds = meta.bounds?.rate ?? [0.02, 0.9];
  const known = domains.filter((d) => Object.hasOwn(next.domains, d));
  // `skip`: domains another strategy (the learner) handles this generation.
  const targets = (known.length > 0 ? known : Object.keys(next.domains)).filter((d) => !skip.includes(d));

  meta.stepSizes ??= {};
  for (const d of targets) {
    const from = meta.stepSizes[d] ?? 0.1;
    meta.stepSizes[d] = tidy(clamp(from * Math.exp(tau * rng.normal()), stepBounds));
    record(`meta.stepSizes.${d}`, from, meta.stepSizes[d]);
  }
  for (const name of ['mutationRate', 'choiceRate']) {
    const from = meta[name] ?? 0.2;
    meta[name] = tidy(clamp(adaptRate(from, tau * rng.normal()), rateBounds));
    record(`meta.${name}`, from, meta[name]);
  }

  for (const d of targets) {
    const before = changes.length;
    mutateDomain(next, meta, d, rng, record, false);
    // A child identical to its parent would waste an evaluation: force at least one change.
    if (changes.length === before) mutateDomain(next, meta, d, rng, record, true);
  }
  return { task: next, meta, changes };
}

function mutateDomain(root, meta, domain, rng, record, forceOne) {
  const sigma = meta.stepSizes[domain];
  const section = root.domains[domain];
  const all = leaves(section);
  const unmutated = new Set(meta.unmutated?.paths ?? []);
  const numeric = all
    .filter(([p, v]) => typeof v === 'number' && !unmutated.has(`${domain}.${p}`))
    .map(([p]) => p);
  const flags = all.filter(([, v]) => typeof v === 'boolean').map(([p]) => p);
  const choiceKeys = Object.keys(meta.choices ?? {}).filter((k) => k.startsWith(`${domain}.`));

  const mutateNumber = (p) => {
    const from = getPath(section, p);
    const range = meta.ranges?.[`${domain}.${p}`];
    const to = range ? moveInRange(from, range, meta.tau ?? 0.3, rng) : tidy(from + sigma * rng.normal());
    setPath(section, p, to);
    record(`domains.${domain}.${p}`, from, to);
  };
  const flip = (p) => {
    const from = getPath(section, p);
    setPath(section, p, !from);
    record(`domains.${domain}.${p}`, from, !from);
  };
  const rechoose = (key) => {
    const p = key.slice(domain.length + 1);
    const from = getPath(section, p);
    const others = meta.choices[key].filter((o) => o !== from);
    if (others.length === 0) return;
    const to = rng.pick(others);
    setPath(section, p, to);
    record(`domains.${domain}.${p}`, from, to);
  };

  if (forceOne) {
    if (numeric.length > 0) mutateNumber(rng.pick(numeric));
    else if (choiceKeys.length > 0) rechoose(rng.pick(choiceKeys));
    else if (flags.length > 0) flip(rng.pick(flags));
    return;
  }
  for (const p of numeric) if (rng.next() < meta.mutationRate) mutateNumber(p);
  for (const p of flags) if (rng.next() < meta.choiceRate) flip(p);
  for (const key of choiceKeys) if (rng.next() < meta.choiceRate) rechoose(key);
}

/**
 * A size or budget of task/params.json (meta/params.json `ranges`): log-normal step within the
 * bounds; an integer is rounded and moves by at least 1, so a chosen setting never stays put.
 */
export function moveInRange(from, { bounds, integer }, tau, rng) {
  const start = clamp(typeof from === 'number' && from > 0 ? from : bounds[0], bounds);
  const moved = clamp(start * Math.exp(tau * rng.normal()), bounds);
  if (!integer) return tidy(moved);
  const to = Math.round(moved);
  if (to !== from) return to;
  const step = rng.next() < 0.5 ? -1 : 1;
  return clamp(to + step, bounds) !== to ? clamp(to + step, bounds) : clamp(to - step, bounds);
}

const POSITIVE = {
  vocabSize: { bounds: [20, 5000], integer: true },
  minDf: { bounds: [1, 10], integer: true },
  alpha: { bounds: [0.01, 10] },
  l2: { bounds: [1e-5, 10] },
  epochs: { bounds: [20, 1000], integer: true },
  learningRate: { bounds: [0.01, 5] },
};

/**
 * Self-adaptation of the learner's settings (meta/params.json `learner`), in place on `meta`, for the
 * given learnable domains: its own rates first (`rate`: how often a domain is learned rather than
 * parameter-mutated; `mutationRate`: how often each setting moves), then each domain's settings:
 * positive numbers log-normally, `ensemble` by a normal step in [0, 0.9], the model type and each feature
 * family (of `familyOptions`) flip with meta.choiceRate. Returns the changes as { path, from, to }.
 */
export function mutateLearner(meta, rng, domains) {
  const learner = meta.learner;
  const changes = [];
  if (!learner || domains.length === 0) return changes;
  const record = (p, from, to) => changes.push({ path: `meta.learner.${p}`, from, to });
  const tau = meta.tau ?? 0.3;
  const [lo, hi] = learner.rateBounds ?? [0.05, 0.95];
  for (const name of ['rate', 'mutationRate']) {
    const from = learner[name] ?? 0.5;
    learner[name] = tidy(clamp(adaptRate(from, tau * rng.normal()), [lo, hi]));
    record(name, from, learner[name]);
  }
  for (const d of domains) {
    const s = learner.domains?.[d];
    if (!s) continue;
    for (const [name, { bounds, integer }] of Object.entries(POSITIVE)) {
      if (typeof s[name] !== 'number' || rng.next() >= learner.mutationRate) continue;
      const from = s[name];
      const moved = clamp(from * Math.exp(tau * rng.normal()), bounds);
      s[name] = integer ? Math.round(moved) : tidy(moved);
      record(`domains.${d}.${name}`, from, s[name]);
    }
    if (typeof s.ensemble === 'number' && rng.next() < learner.mutationRate) {
      const from = s.ensemble;
      s.ensemble = tidy(clamp(from + tau * 0.5 * rng.normal(), [0, 0.9]));
      record(`domains.${d}.ensemble`, from, s.ensemble);
    }
    if (rng.next() < (meta.choiceRate ?? 0.15)) {
      const from = s.model;
      s.model = from === 'nb' ? 'lr' : 'nb';
      record(`domains.${d}.model`, from, s.model);
    }
    for (const family of learner.familyOptions?.[d] ?? []) {
      if (rng.next() >= (meta.choiceRate ?? 0.15)) continue;
      const from = s.families ?? [];
      const to = from.includes(family) ? from.filter((f) => f !== family) : [...from, family];
      if (to.length === 0) continue;
      s.families = to;
      record(`domains.${d}.families`, from, to);
    }
  }
  return changes;
}

const REWARD_SEARCH = {
  candidates: { bounds: [2, 24], integer: true },
  proxyIterations: { bounds: [3, 25], integer: true },
  stepSize: { bounds: [0.05, 3] },
  perturbRate: { bounds: [0.05, 0.9] },
};

/**
 * Self-adaptation of the reward-design learner's search (meta/params.json `learner.rewardDesign`),
 * in place: its `rate` like the learner's own, each search setting log-normally with
 * learner.mutationRate. Returns the changes as { path, from, to }.
 */
export function mutateRewardLearner(meta, rng) {
  const learner = meta.learner;
  const s = learner?.rewardDesign;
  const changes = [];
  if (!s) return changes;
  const record = (p, from, to) => changes.push({ path: `meta.learner.rewardDesign.${p}`, from, to });
  const tau = meta.tau ?? 0.3;
  const from = s.rate ?? 0.5;
  s.rate = tidy(clamp(adaptRate(from, tau * rng.normal()), learner.rateBounds ?? [0.05, 0.95]));
  record('rate', from, s.rate);
  for (const [name, { bounds, integer }] of Object.entries(REWARD_SEARCH)) {
    if (typeof s[name] !== 'number' || rng.next() >= (learner.mutationRate ?? 0.3)) continue;
    const was = s[name];
    const moved = clamp(was * Math.exp(tau * rng.normal()), bounds);
    s[name] = integer ? Math.round(moved) : tidy(moved);
    record(name, was, s[name]);
  }
  return changes;
}
