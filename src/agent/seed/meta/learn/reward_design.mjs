/**
 * The offline learner for reward design (no LLM): searches the reward terms and weights of the task
 * agent's reward writer (task/heuristics/reward_design.mjs `writeRewardSource`: base, alive,
 * linear/quadratic/potential per field, quadraticAll, potentialAll, action) against the parent's
 * train tasks, with the simulator the engine puts in the workspace (workspace/reward-design/sim.mjs:
 * the host's own CEM trainer and true objectives; nothing of validation or test is in it).
 *
 * Only weights that stay with what they were tuned on move: the scalar weights of each training
 * environment (`envs.<envId>`) and the per-field ones (field names are the environment's own). The
 * section's default scalars, which the writer uses for an environment it has never seen, never move:
 * a weight that wins on the training environments has no evidence for another one (an alive bonus
 * that helps CartPole makes Acrobot's agent avoid its goal).
 *
 * A (1+λ) evolution strategy from the parent's task/params.json `reward-design` section: each round,
 * `candidates` perturbations of the best so far (each weight moves with probability `perturbRate` by
 * `stepSize`·N(0,1)); each candidate's reward trains a policy with CEM at `proxyIterations`
 * iterations (a cheap proxy of the full training) on up to `maxTasks` train tasks, on `replicates`
 * seeds each (the task's own, then fresh episodes of the same environment derived from it), and is
 * kept when its mean true objective beats the best. With `confirm`, the winner and the parent are then
 * trained at the tasks' full iterations, which is the host's train score exactly, and the winner is
 * kept only if it is at least as good there. All settings are the meta agent's own (meta/params.json
 * `learner.rewardDesign`), so they can be mutated like the rest.
 *
 * Writes nothing: returns { params, report } (or { skipped: reason }) for the caller to write.
 * Deterministic given `rng` unless the time budget or `deadlineMs` cuts the search short.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withHelpers } from '../rng.mjs';

export const REWARD_DESIGN = 'reward-design';

/** The search settings when meta/params.json gives none. */
export const REWARD_LEARNER_DEFAULTS = {
  candidates: 8,
  rounds: 2,
  proxyIterations: 12,
  stepSize: 0.5,
  perturbRate: 0.3,
  maxTasks: 6,
  replicates: 1,
  confirm: true,
  timeBudgetMs: 30_000,
};

/** Weights of the reward writer given per state field. */
const PER_FIELD = ['linear', 'quadratic', 'potential'];
/** Time kept back from `deadlineMs` for the caller to write and finish. */
const DEADLINE_MARGIN_MS = 5_000;

const tidy = (x) => Number(x.toPrecision(4));

/** Replicate r of a train task's seed: r = 0 is the task's own; others are derived from it (never a val or test seed). */
function replicateSeed(seed, r) {
  if (r === 0) return seed;
  let h = (seed ^ Math.imul(r, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The task input the writer reads, from a task spec of train_tasks.json (as rewardTaskInput builds it). */
function inputOf(spec) {
  return {
    taskId: spec.id,
    envId: spec.envId,
    stateFields: spec.stateFields,
    action: { kind: spec.actionKind, description: spec.actionDescription },
    defaultRewardSource: spec.defaultRewardSource,
  };
}

/** Up to `max` tasks, taking the environments in turn so a small budget still covers all of them. */
function spread(tasks, max) {
  const byEnv = new Map();
  for (const t of tasks) byEnv.set(t.envId, [...(byEnv.get(t.envId) ?? []), t]);
  const queues = [...byEnv.values()];
  const out = [];
  for (let i = 0; out.length < Math.min(max, tasks.length); i++) {
    for (const q of queues) if (q[i] && out.length < max) out.push(q[i]);
  }
  return out;
}

/**
 * The addresses of every weight the search moves: the scalars of each train environment
 * (envs.<envId>.<scalar>; `action` only where the action is continuous), then section.field for the
 * train tasks' fields.
 */
function weightPaths(params, tasks, scalars) {
  const paths = [];
  const envs = new Map(tasks.map((t) => [t.spec.envId, t.spec.actionKind]));
  for (const [env, kind] of [...envs].sort(([a], [b]) => (a < b ? -1 : 1)))
    for (const k of scalars) if (k !== 'action' || kind === 'continuous') paths.push(['envs', env, k]);
  const fields = [...new Set(tasks.flatMap((t) => t.spec.stateFields.map((f) => f.name)))];
  for (const section of PER_FIELD) {
    const names = [...new Set([...Object.keys(params[section] ?? {}), ...fields])].sort();
    for (const f of names) paths.push([section, f]);
  }
  return paths;
}

/** A weight's value; an environment's scalar it has no entry for is the section's default, as the writer reads it. */
function getWeight(params, p) {
  const own = p.reduce((node, key) => node?.[key], params);
  if (typeof own === 'number') return own;
  const name = p.at(-1);
  if (p[0] === 'envs' && typeof params[name] === 'number') return params[name];
  return name === 'base' ? 1 : 0;
}

function setWeight(params, p, value) {
  let node = params;
  for (const key of p.slice(0, -1)) node = node[key] = { ...(node[key] ?? {}) };
  node[p.at(-1)] = value;
}

/** One candidate: a copy of `from` with each weight moved with probability `rate` (at least one moves). */
function perturb(from, paths, rng, { stepSize, perturbRate }) {
  const next = JSON.parse(JSON.stringify(from));
  const moved = paths.filter(() => rng.next() < perturbRate);
  if (moved.length === 0) moved.push(paths[rng.int(paths.length)]);
  for (const p of moved) setWeight(next, p, tidy(getWeight(next, p) + stepSize * rng.normal()));
  return next;
}

export async function learnRewardDesign({ repoDir, workspace, params, rng: rawRng, deadlineMs }) {
  const started = Date.now();
  const settings = { ...REWARD_LEARNER_DEFAULTS, ...(params ?? {}) };
  const files = workspace?.rewardDesign;
  if (!files?.sim || !files?.tasks || !existsSync(path.join(repoDir, files.sim)))
    return { skipped: 'no reward-design simulator in the workspace' };
  const writerFile = path.join(repoDir, 'task', 'heuristics', 'reward_design.mjs');
  if (!existsSync(writerFile)) return { skipped: 'the task agent has no task/heuristics/reward_design.mjs' };
  const sim = await import(pathToFileURL(path.join(repoDir, files.sim)).href);
  // The program's own writer, so what is scored here is exactly what the task agent will write.
  const { writeRewardSource, SCALAR_WEIGHTS } = await import(pathToFileURL(writerFile).href);
  const all = JSON.parse(readFileSync(path.join(repoDir, files.tasks), 'utf8')).tasks ?? [];
  const tasks = spread(all, Math.max(1, Math.round(settings.maxTasks)));
  if (tasks.length === 0) return { skipped: 'no reward-design train tasks in the workspace' };
  const taskParams = JSON.parse(readFileSync(path.join(repoDir, 'task', 'params.json'), 'utf8'));
  const parent = taskParams.domains?.[REWARD_DESIGN] ?? {};
  const rng = withHelpers(rawRng);

  const stopAt = Math.min(
    started + settings.timeBudgetMs,
    (deadlineMs ?? Number.POSITIVE_INFINITY) - DEADLINE_MARGIN_MS,
  );
  const proxyIterations = Math.max(1, Math.round(settings.proxyIterations));
  const replicates = Math.max(1, Math.round(settings.replicates ?? 1));
  /**
   * Mean true objective of `weights` over the chosen tasks, trained at `iterations` (undefined: each
   * task's own, i.e. the host's training) on `replicates` seeds per task: the task's own (its host
   * train score), then seeds derived from it (fresh episodes of the same train environment).
   */
  const trainScore = (weights, iterations, reps = 1) => {
    let sum = 0;
    for (const task of tasks) {
      const source = writeRewardSource(inputOf(task.spec), weights);
      // Never more iterations than the task's own: the proxy is a cheaper training, not a longer one.
      const own = task.spec.training.cem.iterations;
      const spec = sim.withIterations(task.spec, Math.min(iterations ?? own, own));
      for (let r = 0; r < reps; r++)
        sum += sim.evaluateReward(spec, source, replicateSeed(task.seed, r)).score;
    }
    return sum / (tasks.length * reps);
  };

  const paths = weightPaths(parent, tasks, SCALAR_WEIGHTS ?? []);
  const t0 = Date.now();
  const parentProxy = trainScore(parent, proxyIterations, replicates);
  // The time of one search evaluation: the parent's first (warm-up included), then the latest candidate's.
  let proxyMs = Date.now() - t0;
  const fullIterations = Math.max(...tasks.map((t) => t.spec.training.cem.iterations));
  // A search at every task's full iterations on its own seed only is the host's train score already.
  const exact = proxyIterations >= fullIterations && replicates === 1;
  // What the final check of two rewards costs relative to one search evaluation (time ~ iterations).
  const own = tasks.reduce((a, t) => a + t.spec.training.cem.iterations, 0);
  const searched = tasks.reduce((a, t) => a + Math.min(proxyIterations, t.spec.training.cem.iterations), 0);
  const confirmFactor = settings.confirm && !exact ? (2 * own) / (searched * replicates) : 0;

  let best = parent;
  let bestProxy = parentProxy;
  let candidates = 0;
  let cut = false;
  for (let round = 0; round < Math.max(1, settings.rounds) && !cut; round++) {
    const from = best;
    for (let c = 0; c < Math.max(1, settings.candidates); c++) {
      if (Date.now() + proxyMs * (1 + confirmFactor) > stopAt) {
        cut = true;
        break;
      }
      const candidate = perturb(from, paths, rng, settings);
      const t1 = Date.now();
      const score = trainScore(candidate, proxyIterations, replicates);
      proxyMs = Date.now() - t1;
      candidates++;
      if (score > bestProxy) {
        best = candidate;
        bestProxy = score;
      }
    }
  }

  let parentTrain = parentProxy;
  let bestTrain = bestProxy;
  let accepted = best !== parent;
  const confirmed = accepted && Boolean(settings.confirm) && !exact;
  if (confirmed) {
    // The time for this was kept back above. The full training on the tasks' own seeds is the
    // host's train score exactly: the winner is kept only if it is at least as good there.
    parentTrain = trainScore(parent, undefined);
    bestTrain = trainScore(best, undefined);
    if (bestTrain < parentTrain) {
      accepted = false;
      best = parent;
      bestTrain = parentTrain;
    }
  }
  const changes = paths
    .filter((p) => getWeight(best, p) !== getWeight(parent, p))
    .map((p) => ({
      path: `domains.${REWARD_DESIGN}.${p.join('.')}`,
      from: getWeight(parent, p),
      to: getWeight(best, p),
    }));
  return {
    params: JSON.parse(JSON.stringify(best)),
    report: {
      by: 'offline reward learner (no LLM)',
      candidates,
      tasks: tasks.map((t) => t.id),
      proxyIterations,
      replicates,
      accepted,
      // Where parentTrain and bestTrain come from: the host's full training, or the proxy's.
      scoredAt: confirmed || exact ? 'full' : 'proxy',
      parentProxy: Number(parentProxy.toFixed(4)),
      bestProxy: Number(bestProxy.toFixed(4)),
      parentTrain: Number(parentTrain.toFixed(4)),
      bestTrain: Number(bestTrain.toFixed(4)),
      changes,
      cut,
      ms: Date.now() - started,
    },
  };
}
