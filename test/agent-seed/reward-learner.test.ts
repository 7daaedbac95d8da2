import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { workspaceFiles, type TrainExamples } from '../../src/agent/workspace';
import { trainHistoryOf } from '../../src/archive';
import { createRewardDesignDomain, evaluateReward } from '../../src/domains/reward-design';
import { makeNode } from '../archive/fixtures';
import { SEED_DIR } from './harness';

/**
 * The seed meta agent's offline reward learner (meta/learn/reward_design.mjs) on a workspace the
 * engine builds: it searches the reward writer's weights against the train tasks with the
 * workspace's simulator, is deterministic given its stream, and never returns weights that train
 * worse than the parent's. The check of that claim is the host's own evaluation.
 */

const LEARNER = pathToFileURL(path.join(SEED_DIR, 'meta', 'learn', 'reward_design.mjs')).href;

interface LearnOutput {
  params: Record<string, unknown>;
  report: {
    candidates: number;
    tasks: string[];
    parentTrain: number;
    bestTrain: number;
    scoredAt: string;
    accepted: boolean;
    changes: { path: string }[];
    ms: number;
  };
  /** The sources the program's writer makes of the parent's and the learned weights, per task. */
  sources: { id: string; parent: string; learned: string }[];
  /** The same for an environment no train task shows. */
  unseen: { parent: string; learned: string };
}

/** A program folder: a copy of the seed with a reward-design workspace for two train tasks. */
async function program(): Promise<{
  dir: string;
  labels: ReadonlyMap<string, { taskId: string; seed: number }>;
  trainIds: string[];
}> {
  // Two train tasks: cartpole (easy) and pendulum (where the seed's reward leaves room).
  const loaded = await createRewardDesignDomain().loadTasks({
    seed: 5,
    sizes: { train: 3, val: 2, test: 1 },
  });
  const train = loaded.splits.train.filter((t) => t.input.taskId !== 'mountain-car-continuous');
  const examples: TrainExamples = {
    domain: 'reward-design',
    describe: 'reward design',
    split: 'train',
    node: 'gen-00000',
    comparison: null,
    examples: train.map((t) => ({
      id: t.id,
      input: t.input,
      label: loaded.labels.get(t.id),
      score: 1,
    })),
  };
  const summary = trainHistoryOf([makeNode('run-rl', 0, null, {})], 'gen-00000', ['reward-design']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-learner-'));
  fs.cpSync(SEED_DIR, dir, { recursive: true });
  for (const [p, text] of Object.entries(workspaceFiles(summary, [examples]))) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  return { dir, labels: loaded.labels, trainIds: train.map((t) => t.id) };
}

/** Runs learnRewardDesign in plain node (the program is ES modules), with a seeded stream. */
function learn(dir: string, seed: number, settings: Record<string, unknown>): LearnOutput {
  const script = `import { readFileSync } from 'node:fs';
import { learnRewardDesign } from ${JSON.stringify(LEARNER)};
const { writeRewardSource } = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'task', 'heuristics', 'reward_design.mjs')).href)});
const dir = ${JSON.stringify(dir)};
const workspace = JSON.parse(readFileSync(dir + '/workspace/index.json', 'utf8'));
let x = ${seed};
const rng = { next: () => (x = (x * 48271) % 2147483647) / 2147483647 };
const out = await learnRewardDesign({ repoDir: dir, workspace, params: ${JSON.stringify(settings)}, rng, deadlineMs: Date.now() + 600000 });
const parent = JSON.parse(readFileSync(dir + '/task/params.json', 'utf8')).domains['reward-design'];
const tasks = JSON.parse(readFileSync(dir + '/' + workspace.rewardDesign.tasks, 'utf8')).tasks;
const input = (s) => ({ envId: s.envId, stateFields: s.stateFields, action: { kind: s.actionKind }, defaultRewardSource: s.defaultRewardSource });
out.sources = tasks.map((t) => ({ id: t.id, parent: writeRewardSource(input(t.spec), parent), learned: writeRewardSource(input(t.spec), out.params) }));
// An environment no train task shows: its own id and field names, a continuous action.
const unseen = input({ ...tasks[0].spec, envId: 'Unseen-v0', actionKind: 'continuous', stateFields: tasks[0].spec.stateFields.map((f) => ({ ...f, name: 'u' + f.name })) });
out.unseen = { parent: writeRewardSource(unseen, parent), learned: writeRewardSource(unseen, out.params) };
process.stdout.write(JSON.stringify(out));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as LearnOutput;
}

test('the reward learner is deterministic and never trains worse than the parent on the train tasks', async () => {
  const { dir, labels, trainIds } = await program();
  try {
    const settings = {
      candidates: 2,
      rounds: 2,
      timeBudgetMs: 600_000,
      proxyIterations: 3,
      stepSize: 0.5,
      perturbRate: 0.4,
      maxTasks: 2,
      confirm: true,
    };
    const a = learn(dir, 17, settings);
    const b = learn(dir, 17, settings);
    const { ms: _a, ...reportA } = a.report;
    const { ms: _b, ...reportB } = b.report;
    expect(a.params).toEqual(b.params);
    expect(reportA).toEqual(reportB);

    expect(a.report.candidates).toBe(4);
    expect(trainIds).toHaveLength(2);
    expect(a.report.tasks.sort()).toEqual([...trainIds].sort());
    expect(a.report.bestTrain).toBeGreaterThanOrEqual(a.report.parentTrain);
    // The claim, checked by the host's evaluation of what the task agent would write (full training).
    const host = (pick: 'parent' | 'learned') =>
      a.sources.reduce((sum, s) => {
        const label = labels.get(s.id)!;
        return sum + evaluateReward(label.taskId, s[pick], label.seed).score;
      }, 0) / a.sources.length;
    const parentHost = host('parent');
    expect(parentHost).toBeLessThan(1); // there is room to improve: the claim is not vacuous
    const learnedHost = host('learned');
    expect(learnedHost).toBeGreaterThanOrEqual(parentHost);
    if (a.report.scoredAt === 'full') {
      expect(a.report.parentTrain).toBeCloseTo(parentHost, 4);
      expect(a.report.bestTrain).toBeCloseTo(learnedHost, 4);
    }
    // A different stream searches elsewhere.
    const c = learn(dir, 99, settings);
    // Only what stays with a training environment moves: an unseen one gets the parent's reward.
    // (Without the full-training check the proxy's winner is kept, so something moves.)
    const d = learn(dir, 17, { ...settings, confirm: false });
    const changes = [...a.report.changes, ...c.report.changes, ...d.report.changes];
    expect(d.report.changes.length).toBeGreaterThan(0);
    for (const change of changes)
      expect(change.path).toMatch(/^domains\.reward-design\.(envs\.[\w-]+|linear|quadratic|potential)\.\w+$/);
    for (const out of [a, c, d]) expect(out.unseen.learned).toBe(out.unseen.parent);
    expect(
      JSON.stringify(c.report.changes) === JSON.stringify(a.report.changes) && a.report.changes.length > 0,
    ).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without a simulator in the workspace the learner skips', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-learner-'));
  fs.cpSync(SEED_DIR, dir, { recursive: true });
  try {
    const script = `import { learnRewardDesign } from ${JSON.stringify(LEARNER)};
const out = await learnRewardDesign({ repoDir: ${JSON.stringify(dir)}, workspace: null, params: {}, rng: { next: () => 0.5 } });
process.stdout.write(JSON.stringify(out));`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ skipped: 'no reward-design simulator in the workspace' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the offline meta agent runs the reward learner for reward design, labelled as such, and self-adapts its search', async () => {
  const { dir } = await program();
  try {
    // Small, always-taken searches, so the test is quick and the branch is the one under test.
    const metaFile = path.join(dir, 'meta', 'params.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as {
      learner: { rateBounds: number[]; rewardDesign: Record<string, unknown> };
    };
    meta.learner.rateBounds = [0.99, 1];
    Object.assign(meta.learner.rewardDesign, {
      rate: 1,
      candidates: 2,
      rounds: 1,
      proxyIterations: 3,
      maxTasks: 2,
    });
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    const script = `import { readFileSync } from 'node:fs';
import { improve } from ${JSON.stringify(pathToFileURL(path.join(dir, 'meta_agent.mjs')).href)};
const dir = ${JSON.stringify(dir)};
const workspace = JSON.parse(readFileSync(dir + '/workspace/index.json', 'utf8'));
let x = 7;
const rng = { next: () => (x = (x * 48271) % 2147483647) / 2147483647 };
const out = await improve({ repoDir: dir, domains: ['reward-design'], workspace, rng, history: { lineage: [], nodes: [] }, generationsLeft: 1, llm: null, limits: { deadlineMs: Date.now() + 600000 } });
process.stdout.write(JSON.stringify(out));`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(res.stderr);
    const out = JSON.parse(res.stdout) as {
      strategy: string;
      summary: string;
      learned: Array<{
        domain: string;
        search?: { bestTrain: number; parentTrain: number };
        skipped?: string;
      }>;
    };
    expect(out.strategy).toBe('offline');
    expect(out.summary).toContain('offline learner (no LLM): reward-design');
    const entry = out.learned.find((l) => l.domain === 'reward-design')!;
    // Either a search that beat the parent on train, or one that did not and left the domain to mutation.
    if (entry.search) expect(entry.search.bestTrain).toBeGreaterThanOrEqual(entry.search.parentTrain);
    else expect(entry.skipped).toMatch(/^no candidate beat the parent/);
    const after = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as typeof meta;
    expect(after.learner.rewardDesign.rate).not.toBe(1);
    expect(fs.readFileSync(path.join(dir, 'memory', 'notes.md'), 'utf8')).toContain(
      'offline learner (no LLM): reward-design',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
