import * as fs from 'fs';
import * as path from 'path';
import type { TrainHistory } from '../../archive/views';
import { sourceOrBuilt } from '../../host/assets';
import type { ProgramFiles } from '../program';
import { REWARD_DESIGN_DOMAIN, rewardDesignFiles } from './reward-design';

/**
 * The meta agent's workspace: files the engine writes into a reserved folder of the program for one
 * meta-agent session (the tools are confined to the program folder, so that is where it can read
 * them) and strips from the child before it is stored, so it is rewritten every session and never
 * inherited. It holds train-split material only: the archive summary, the parent's train examples
 * with their labels, a script to run the task agent on them and, for reward design, a simulator of
 * the host's training and scoring with the parent's train tasks (reward-design.ts).
 */
export const WORKSPACE_DIR = 'workspace';

/** Paths inside the program, as `ctx.workspace` gives them to the meta agent (run_meta.mjs reads the manifest). */
export const WORKSPACE_FILES = {
  manifest: `${WORKSPACE_DIR}/index.json`,
  readme: `${WORKSPACE_DIR}/README.md`,
  archive: `${WORKSPACE_DIR}/archive.json`,
  run: `${WORKSPACE_DIR}/run_train.mjs`,
  examples: (domain: string) => `${WORKSPACE_DIR}/examples/${domain}.json`,
  rewardSim: `${WORKSPACE_DIR}/reward-design/sim.mjs`,
  rewardTasks: `${WORKSPACE_DIR}/reward-design/train_tasks.json`,
} as const;

/** A trace longer than this (as JSON) is cut: the examples are for reading, the host keeps the rest. */
const MAX_TRACE_CHARS = 2000;

/** One train task of the parent, as the meta agent sees it. */
export interface TrainExample {
  id: string;
  /** The task as the task agent saw it (agent view). */
  input: unknown;
  prediction?: unknown;
  error?: string;
  label: unknown;
  /** What a correct prediction equals, where the domain scores by plain comparison. */
  expected?: unknown;
  /** The parent's score on this task; absent (with prediction, answer, trace) when it did not answer it. */
  score?: number;
  details?: unknown;
  /** How the answer was made: model, fallback, offline or failed. */
  answer?: string;
  trace?: unknown;
}

/** One domain's examples file. */
export interface TrainExamples {
  domain: string;
  describe: string;
  split: 'train';
  /** The node whose predictions these are (the meta agent's parent). */
  node: string;
  /** 'exact' when run_train.mjs can score a try by comparing with `expected`; else it prints predictions only. */
  comparison: 'exact' | null;
  examples: TrainExample[];
}

/** The trace as stored, or its JSON cut to a readable summary. */
export function traceSummary(trace: unknown): unknown {
  if (trace === undefined) return undefined;
  const text = JSON.stringify(trace) ?? 'null';
  return text.length > MAX_TRACE_CHARS ? { truncated: text.slice(0, MAX_TRACE_CHARS) } : trace;
}

let runScript: string | undefined;
function runScriptSource(): string {
  runScript ??= fs.readFileSync(sourceOrBuilt('src/agent/workspace/run_train.mjs'), 'utf8');
  return runScript;
}

const README = `# Workspace (written by the engine for this session only)

This folder is rewritten at the start of every meta-agent session and is not part of the stored
program: nothing written here is inherited. It holds train-split material only.

- \`archive.json\`: the archive summary. \`nodes\` lists your lineage first (your parent, its parent,
  ... the root), then every other node, newest first: id, parent, generation, changed paths, whether
  it was valid, its child count, train score per domain, whether it changed the meta agent.
- \`examples/<domain>.json\`: every train task: the input the task agent saw and its label; where your
  parent answered it (all of them, unless it stopped at the staged sample), its prediction, the
  score, the scorer's details and the task agent's trace.
- \`run_train.mjs\`: \`node workspace/run_train.mjs [--domain d] [--limit n] [--failed]\` runs the
  current task agent (with your edits) on those train inputs and prints its predictions, and
  whether each is correct where the domain scores by plain comparison.
- \`reward-design/sim.mjs\` and \`reward-design/train_tasks.json\` (reward-design sessions): the host's
  trainer and scorer as one ES module, and your parent's train tasks. \`evaluateTask(task, source,
  { iterations })\` trains a policy with a reward and returns its true-objective score; without
  \`iterations\` it is the host's train score exactly.
`;

/**
 * The workspace's files for one session, by program path. `examples` must come from train reports
 * and train tasks only (the caller's duty: src/engine/generation/metaWorkspace.ts).
 */
export function workspaceFiles(summary: TrainHistory, examples: readonly TrainExamples[]): ProgramFiles {
  const json = (v: unknown) => `${JSON.stringify(v, null, 1)}\n`;
  const files: ProgramFiles = {
    [WORKSPACE_FILES.readme]: README,
    [WORKSPACE_FILES.archive]: json(summary),
    [WORKSPACE_FILES.run]: runScriptSource(),
  };
  for (const e of examples) files[WORKSPACE_FILES.examples(e.domain)] = json(e);
  const rewardExamples = examples.find((e) => e.domain === REWARD_DESIGN_DOMAIN);
  const reward = rewardExamples
    ? rewardDesignFiles(rewardExamples, {
        sim: WORKSPACE_FILES.rewardSim,
        tasks: WORKSPACE_FILES.rewardTasks,
      })
    : {};
  Object.assign(files, reward);
  files[WORKSPACE_FILES.manifest] = json({
    dir: WORKSPACE_DIR,
    readme: WORKSPACE_FILES.readme,
    archive: WORKSPACE_FILES.archive,
    run: WORKSPACE_FILES.run,
    examples: Object.fromEntries(examples.map((e) => [e.domain, WORKSPACE_FILES.examples(e.domain)])),
    ...(Object.keys(reward).length > 0
      ? { rewardDesign: { sim: WORKSPACE_FILES.rewardSim, tasks: WORKSPACE_FILES.rewardTasks } }
      : {}),
  });
  return files;
}

const inWorkspace = (p: string) => p === WORKSPACE_DIR || p.startsWith(`${WORKSPACE_DIR}/`);

/** The program without its workspace folder: what is stored and inherited. */
export function withoutWorkspace(files: ProgramFiles): ProgramFiles {
  return Object.fromEntries(Object.entries(files).filter(([p]) => !inWorkspace(path.posix.normalize(p))));
}
