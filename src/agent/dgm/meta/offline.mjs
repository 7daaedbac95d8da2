/**
 * The offline analogue of DGM's diagnose-propose-implement, for runs without an LLM: it is a rule,
 * not a model, and says so. Diagnosis: the task agent's trace holds the number its offline heuristic
 * decided on (e.g. `score`, `quality`); when the tasks it answered with the wanted answer decided on
 * a different value, the decision is offset, and `bias` (which moves every decision value) is the
 * parameter most likely responsible: it is shifted by that offset. Without such evidence the one
 * parameter changed is a seeded guess, and the diagnosis says it is one. Pure.
 */
import { leaves, setPath, tidy } from './params.mjs';

const same = (a, b) =>
  typeof a === 'string' && typeof b === 'string'
    ? a.trim().toLowerCase() === b.trim().toLowerCase()
    : JSON.stringify(a) === JSON.stringify(b);

/** The first finite number at the top of a trace, as [name, value], or undefined. */
function decisionValue(trace) {
  if (trace === null || typeof trace !== 'object') return undefined;
  return Object.entries(trace).find(([, v]) => typeof v === 'number' && Number.isFinite(v));
}

const show = (v) => JSON.stringify(v);

/**
 * `task` is task/params.json, `choice` what chooseFailedTask chose, `examples` the domain's train
 * examples. Returns { task, change: { path, from, to } | null, diagnosis: string[] }; `task` is a
 * changed copy (or the input when nothing could be changed).
 */
export function diagnoseOffline(task, choice, examples, rng, guessStep) {
  const { domain, example } = choice;
  // The section the task agent reads for this domain; domains it does not know use `generic`.
  const key = Object.hasOwn(task.domains ?? {}, domain) ? domain : 'generic';
  const section = task.domains?.[key];
  const wanted = example.expected ?? example.label;
  const diagnosis = [
    `failed train task: ${domain} ${example.id} (score ${example.score})`,
    example.error !== undefined
      ? `the task agent failed: ${String(example.error).slice(0, 300)}`
      : `the task agent answered ${show(example.prediction)} where the label wants ${show(wanted)}`,
  ];
  if (section === null || typeof section !== 'object') {
    return {
      task,
      change: null,
      diagnosis: [...diagnosis, `task/params.json has no section for it: no edit`],
    };
  }
  const next = JSON.parse(JSON.stringify(task));
  const edit = (leaf, to) => {
    const from = leaves(section).find(([p]) => p === leaf)[1];
    setPath(next.domains[key], leaf, to);
    return { path: `domains.${key}.${leaf}`, from, to };
  };

  const own = decisionValue(example.trace);
  const peers = examples
    .filter((e) => e !== example && e.error === undefined && same(e.prediction, wanted))
    .map((e) => decisionValue(e.trace))
    .filter((d) => d !== undefined && d[0] === own?.[0])
    .map(([, v]) => v);
  if (own !== undefined && peers.length > 0 && typeof section.bias === 'number') {
    const target = peers.reduce((a, b) => a + b, 0) / peers.length;
    const change = edit('bias', tidy(section.bias + (target - own[1])));
    return {
      task: next,
      change,
      diagnosis: [
        ...diagnosis,
        `its decision value ${own[0]} was ${tidy(own[1])}; the ${peers.length} train task(s) it answered ${show(wanted)} decided on ${tidy(target)} on average, so the decision is offset`,
        `improvement: shift \`bias\`, which moves every decision value, by that offset: ${change.path} ${show(change.from)} → ${show(change.to)}`,
      ],
    };
  }

  const numeric = leaves(section).filter(([, v]) => typeof v === 'number');
  const flags = leaves(section).filter(([, v]) => typeof v === 'boolean');
  const why =
    own === undefined
      ? 'the trace shows no decision value'
      : `no other train task was answered ${show(wanted)} with a comparable decision value`;
  let change = null;
  if (numeric.length > 0) {
    const [leaf, from] = numeric[Math.min(numeric.length - 1, Math.floor(rng.next() * numeric.length))];
    change = edit(leaf, tidy(from + (rng.next() < 0.5 ? -guessStep : guessStep)));
  } else if (flags.length > 0) {
    const [leaf, from] = flags[Math.min(flags.length - 1, Math.floor(rng.next() * flags.length))];
    change = edit(leaf, !from);
  }
  return {
    task: change ? next : task,
    change,
    diagnosis: [
      ...diagnosis,
      change
        ? `${why}, so the parameter responsible is a seeded guess: ${change.path} ${show(change.from)} → ${show(change.to)}`
        : `${why}, and the section has no number or flag to change: no edit`,
    ],
  };
}
