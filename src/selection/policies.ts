import type { Ranked } from './snapshot';

/**
 * The weight rules of the built-in parent-selection policies. Each maps the eligible nodes to
 * non-negative weights; `selectParent` normalises and draws. Deterministic rules (`best`,
 * `latest`) are a one-hot weight so that every policy goes through the same draw and logs a
 * distribution in the same shape.
 */

export const SELECTION_POLICIES = [
  'score_child_prop',
  'score_prop',
  'best',
  'latest',
  'random',
  'dgm',
] as const;
export type PolicyName = (typeof SELECTION_POLICIES)[number];
export const DEFAULT_POLICY: PolicyName = 'score_child_prop';

export function isPolicyName(name: unknown): name is PolicyName {
  return typeof name === 'string' && (SELECTION_POLICIES as readonly string[]).includes(name);
}

export type WeightRule = (nodes: readonly Ranked[]) => number[];

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** m: mean of the top-3 scores; with fewer than 3 eligible nodes, the mean of all of them. */
export function topThreeMidpoint(nodes: readonly Ranked[]): number {
  // One pass keeping the three highest (a sort of every score would grow with the archive).
  const top: number[] = [];
  for (const { score } of nodes) {
    if (top.length < 3) top.push(score);
    else if (score > top[2]!) top[2] = score;
    else continue;
    top.sort((a, b) => b - a);
  }
  return top.reduce((s, x) => s + x, 0) / top.length;
}

/** DGM-H: w_i = sigmoid(10·(a_i − m)) · exp(−(n_i/8)^3). */
const scoreChildProp: WeightRule = (nodes) => {
  const m = topThreeMidpoint(nodes);
  return nodes.map((n) => sigmoid(10 * (n.score - m)) * Math.exp(-Math.pow(n.childCount / 8, 3)));
};

/** The paper's score_prop: w_i = sigmoid(10·(a_i − m)), score_child_prop without the children term. */
const scoreProp: WeightRule = (nodes) => {
  const m = topThreeMidpoint(nodes);
  return nodes.map((n) => sigmoid(10 * (n.score - m)));
};

/** Highest a_i; ties go to the lowest generation, then to the earlier node in the snapshot. */
const best: WeightRule = (nodes) => {
  let winner = nodes[0]!;
  for (const n of nodes) {
    const better =
      n.score > winner.score ||
      (n.score === winner.score &&
        (n.generation < winner.generation || (n.generation === winner.generation && n.order < winner.order)));
    if (better) winner = n;
  }
  return nodes.map((n) => (n === winner ? 1 : 0));
};

/** Highest generation (the "no open-ended exploration" ablation); ties go to the earlier node. */
const latest: WeightRule = (nodes) => {
  let winner = nodes[0]!;
  for (const n of nodes) if (n.generation > winner.generation) winner = n;
  return nodes.map((n) => (n === winner ? 1 : 0));
};

const random: WeightRule = (nodes) => nodes.map(() => 1);

/** The original Darwin Gödel Machine: w_i = sigmoid(10·(a_i − 0.5)) / (1 + n_i). */
const dgm: WeightRule = (nodes) => nodes.map((n) => sigmoid(10 * (n.score - 0.5)) / (1 + n.childCount));

export const weightRules: Readonly<Record<PolicyName, WeightRule>> = {
  score_child_prop: scoreChildProp,
  score_prop: scoreProp,
  best,
  latest,
  random,
  dgm,
};

/** The methods a run can use: DGM-H and the paper's ablations, as configuration rather than forks. */
export const METHODS = ['dgm-h', 'no-self-improve', 'no-open-ended', 'dgm'] as const;
export type Method = (typeof METHODS)[number];

/**
 * The built-in policy behind each method: DGM-H and its no-self-improvement ablation select alike;
 * no-open-ended always takes the latest node; DGM uses its original rule.
 */
export const METHOD_POLICIES: Readonly<Record<Method, PolicyName>> = {
  'dgm-h': 'score_child_prop',
  'no-self-improve': 'score_child_prop',
  'no-open-ended': 'latest',
  dgm: 'dgm',
};

/**
 * Methods whose selection rule is part of what they are: no-open-ended always takes the latest node,
 * DGM uses its own rule. A run of one of these may not name another `selection`.
 */
export const METHODS_FIXING_SELECTION: readonly Method[] = ['no-open-ended', 'dgm'];

/** What a run's `selection` may name: a built-in policy, or `agent` for the program's own selector. */
export const SELECTION_RULES = [...SELECTION_POLICIES, 'agent'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];
