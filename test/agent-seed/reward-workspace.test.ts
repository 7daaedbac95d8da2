import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  WORKSPACE_FILES,
  withoutWorkspace,
  workspaceFiles,
  type TrainExamples,
} from '../../src/agent/workspace';
import { trainHistoryOf } from '../../src/archive';
import { createRewardDesignDomain, evaluateReward, getRewardTask } from '../../src/domains/reward-design';
import { makeNode } from '../archive/fixtures';

/**
 * A reward-design session's workspace: the simulator (the host's trainer and scorer as one ES
 * module) and the parent's train tasks, train material only, never inherited, and faithful to the
 * host's evaluation.
 */

const SHAPED = `function reward(state, action, nextState, info) {
  return 1 - 2 * (nextState.theta / 0.21) ** 2 - 0.5 * (nextState.x / 2.4) ** 2 + 0.3 * nextState.velocity / 0.07;
}
`;

async function session(seed: number) {
  const loaded = await createRewardDesignDomain().loadTasks({ seed });
  const examples: TrainExamples = {
    domain: 'reward-design',
    describe: 'reward design',
    split: 'train',
    node: 'gen-00000',
    comparison: null,
    examples: loaded.splits.train.map((t) => ({
      id: t.id,
      input: t.input,
      prediction: 'function reward() { return 1; }',
      label: loaded.labels.get(t.id),
      score: 0.5,
    })),
  };
  const summary = trainHistoryOf([makeNode('run-rw', 0, null, {})], 'gen-00000', ['reward-design']);
  return { loaded, files: workspaceFiles(summary, [examples]) };
}

interface TaskEntry {
  id: string;
  taskId: string;
  envId: string;
  seed: number;
  trainingSeed: number;
  spec: { id: string; training: { cem: { iterations: number } } };
}

test('the workspace holds exactly the train tasks; no validation or test task, seed or environment', async () => {
  const { loaded, files } = await session(11);
  const tasks = (JSON.parse(files[WORKSPACE_FILES.rewardTasks]!) as { tasks: TaskEntry[] }).tasks;
  expect(tasks.map((t) => t.id).sort()).toEqual(loaded.splits.train.map((t) => t.id).sort());
  expect(tasks.every((t) => t.id.includes('#train-'))).toBe(true);
  for (const t of tasks) expect(t.seed).toBe(loaded.labels.get(t.id)?.seed);

  const manifest = JSON.parse(files[WORKSPACE_FILES.manifest]!) as Record<string, unknown>;
  expect(manifest.rewardDesign).toEqual({
    sim: WORKSPACE_FILES.rewardSim,
    tasks: WORKSPACE_FILES.rewardTasks,
  });

  const all = Object.values(files).join('\n');
  for (const t of [...loaded.splits.val, ...loaded.splits.test]) {
    expect(all).not.toContain(t.id);
    expect(all).not.toContain(String(loaded.labels.get(t.id)?.seed));
  }
  // The held-out environment (test) is neither a task nor code in the simulator; nor is the task table.
  expect(all).not.toMatch(/acrobot/i);
  expect(files[WORKSPACE_FILES.rewardSim]).not.toContain(getRewardTask('cartpole-balance').title);

  // Never inherited: the child is stored without any of it.
  const child = withoutWorkspace({ ...files, 'task_agent.mjs': 'export {}' });
  expect(Object.keys(child)).toEqual(['task_agent.mjs']);
});

test("the simulator runs in plain node and reproduces the host's evaluation exactly", async () => {
  const { files } = await session(11);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-sim-'));
  try {
    for (const [p, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), text);
    }
    const tasks = (JSON.parse(files[WORKSPACE_FILES.rewardTasks]!) as { tasks: TaskEntry[] }).tasks;
    const chosen = [
      tasks.find((t) => t.taskId === 'cartpole-balance')!,
      tasks.find((t) => t.taskId === 'mountain-car-continuous')!,
    ];
    const script = `import * as sim from ${JSON.stringify(pathToFileURL(path.join(dir, WORKSPACE_FILES.rewardSim)).href)};
const tasks = ${JSON.stringify(chosen)};
const source = ${JSON.stringify(SHAPED)};
const out = tasks.map((t) => {
  const full = sim.evaluateReward(t.spec, source, t.seed);
  const proxy = sim.evaluateTask(t, source, { iterations: 3 });
  return { full: [full.score, full.details.policyParameters], proxy: [proxy.score, proxy.details.policyParameters] };
});
process.stdout.write(JSON.stringify(out));`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout) as { full: [number, number[]]; proxy: [number, number[]] }[];
    chosen.forEach((t, i) => {
      const host = evaluateReward(t.taskId, SHAPED, t.seed);
      expect(out[i]!.full).toEqual([host.score, host.details.policyParameters]);
      const spec = getRewardTask(t.taskId);
      const fewer = { ...spec, training: { ...spec.training, cem: { ...spec.training.cem, iterations: 3 } } };
      const hostProxy = evaluateReward(fewer, SHAPED, t.seed);
      expect(out[i]!.proxy).toEqual([hostProxy.score, hostProxy.details.policyParameters]);
    });
    // A different reward trains a different policy: the comparison can fail.
    expect(out[0]!.full[1]).not.toEqual(
      evaluateReward(chosen[0]!.taskId, 'function reward() { return 0; }', chosen[0]!.seed).details
        .policyParameters,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
