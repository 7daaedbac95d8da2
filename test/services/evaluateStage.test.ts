import { Archive } from '../../src/archive';
import type { Domain, DomainCatalog, LoadedTasks } from '../../src/domains';
import { createStartNode, evaluateStage, parseRunConfig, type EngineDeps } from '../../src/engine';
import type { Sandbox, SandboxResult, SandboxRunSpec } from '../../src/sandbox';
import { MemoryObjectStore } from '../../src/storage';
import { gatewaySession, sessionResult, validationPassed } from './helpers';

/**
 * One stage of a node's evaluation over an in-memory archive and a scripted task runner: answers are
 * checkpointed as they stream, a retried stage runs only the tasks that have none, and a batch whose
 * session ends before every task answered fails instead of scoring the rest 0.
 */

const ids = ['t1', 't2', 't3', 't4', 't5', 't6'];
const tasks: LoadedTasks = {
  splits: { train: ids.map((id, n) => ({ id, input: { n } })), val: [], test: [] },
  labels: new Map(ids.map((id, n) => [id, n % 2 === 0 ? 'even' : 'odd'])),
};
const parity: Domain = {
  name: 'parity',
  staged: { sampleSize: 2, gate: 0 },
  describe: () => 'Return "even" or "odd".',
  loadTasks: () => Promise.resolve(tasks),
  score: (prediction, label) => ({ score: prediction === label ? 1 : 0 }),
  aggregate: (perTask) => ({ score: perTask.reduce((a, t) => a + t.score, 0) / (perTask.length || 1) }),
};
const domains: DomainCatalog = {
  domain: () => parity,
  tasks: () => Promise.resolve(tasks),
  tasksFromFile: () => Promise.reject(new Error('not in this test')),
};
const config = parseRunConfig({ domains: ['parity'], budget: { generations: 2 } });

/** How one run_tasks session goes: which of its tasks answer (correctly, or with an error), and how it ends. */
interface Session {
  /** By the task's place in the session's batch. */
  answer: (index: number) => boolean;
  error?: (index: number) => string | undefined;
  outcome?: SandboxResult['outcome'];
}

/** A sandbox whose run_tasks sessions follow `sessions` in turn, streaming each answer line; it records what each was asked. */
function scriptedRunner(sessions: Session[]) {
  const asked: string[][] = [];
  const sandbox: Sandbox = {
    backend: 'bubblewrap',
    run: (spec: SandboxRunSpec) => {
      const done = (over: Partial<SandboxResult>) => Promise.resolve(sessionResult(over));
      if (spec.command.join(' ').includes('run_validate.mjs'))
        return done({ stdout: validationPassed(spec) });
      const request = JSON.parse(spec.stdin!) as { tasks: { id: string; input: { n: number } }[] };
      asked.push(request.tasks.map((t) => t.id));
      const session = sessions.shift()!;
      let stdout = '';
      for (const [i, t] of request.tasks.entries()) {
        if (!session.answer(i)) continue;
        const error = session.error?.(i);
        const line = error
          ? { id: t.id, error, ms: 1 }
          : { id: t.id, prediction: t.input.n % 2 === 0 ? 'even' : 'odd', trace: {}, ms: 1 };
        const text = `${JSON.stringify(line)}\n`;
        // Two chunks per line: the runner must reassemble lines as they stream.
        spec.onStdout?.(Buffer.from(text.slice(0, 5)));
        spec.onStdout?.(Buffer.from(text.slice(5)));
        stdout += text;
      }
      const outcome = session.outcome ?? 'ok';
      return done({ outcome, exitCode: outcome === 'ok' ? 0 : 137, stdout, stderr: `session ${outcome}` });
    },
  };
  return { sandbox, asked };
}

async function setUp(
  sessions: Session[],
  openLlmSession: EngineDeps['openLlmSession'] = () => Promise.resolve(undefined),
) {
  const runner = scriptedRunner(sessions);
  const store = new MemoryObjectStore();
  const deps: EngineDeps = {
    archive: new Archive(store),
    sandbox: () => Promise.resolve(runner.sandbox),
    limits: { memoryMb: 256, cpus: 1, pids: 64, timeoutSec: 60, scratchMb: 64 },
    domains,
    openLlmSession,
    recordedSpend: () => Promise.resolve({ usd: 0, tokens: 0 }),
  };
  const start = await createStartNode(deps, { runId: 'run-1', config });
  const stage = (name: 'staged' | 'rest') =>
    evaluateStage(deps, {
      runId: 'run-1',
      nodeId: start.nodeId,
      domain: 'parity',
      split: 'train',
      stage: name,
      config,
    });
  return { store, asked: runner.asked, stage };
}

const all = () => true;

test('a retried stage runs only the tasks that have no checkpointed answer', async () => {
  const { asked, stage } = await setUp([
    { answer: all },
    // The rest's first session answers two of its four tasks, then times out.
    { answer: (i) => i < 2, outcome: 'timeout' },
    { answer: all },
  ]);
  const staged = await stage('staged');
  expect(staged.score).toMatchObject({ basis: 'staged-scaled', evaluated: 2, total: 6 });
  expect(staged.stagedScore).toBe(1);

  await expect(stage('rest')).rejects.toMatchObject({ name: 'BatchCutShortError' });
  const full = await stage('rest');

  const restAsked = asked.slice(1);
  expect(restAsked[0]).toHaveLength(4);
  // The retry asks only for the two the cut-short session never answered.
  expect(restAsked[1]).toEqual(restAsked[0]!.slice(2));
  expect(full.score).toMatchObject({ basis: 'full', score: 1, evaluated: 6, total: 6 });
  expect(full.score.answers).toEqual({ model: 0, fallback: 0, offline: 6, failed: 0 });
});

test('a batch cut short fails the stage and stores no score for it; nothing is scored 0', async () => {
  const { store, stage } = await setUp([{ answer: () => false, outcome: 'crashed' }, { answer: all }]);
  await expect(stage('staged')).rejects.toThrow(/ended \(crashed\) with 2 of 2 task\(s\) unanswered/);
  expect(await store.list('runs/run-1/reports/gen-00000/parity-train.json')).toEqual([]);
  const retried = await stage('staged');
  expect(retried.stagedScore).toBe(1);
});

test("a task's own time-out is its answer: failed, score 0, and the stage completes", async () => {
  const { stage } = await setUp([
    { answer: all, error: (i) => (i === 0 ? 'timed out after 60000 ms' : undefined) },
  ]);
  const staged = await stage('staged');
  expect(staged.score.answers?.failed).toBe(1);
  expect(staged.stagedScore).toBe(0.5);
});

test('a stage during which the program broke a rule at the LLM gateway is incomplete: policy, never ranked', async () => {
  const breaking: EngineDeps['openLlmSession'] = () =>
    gatewaySession({ violation: () => 'the call log quota of this session is spent' });
  const { stage } = await setUp([{ answer: all }], breaking);
  const staged = await stage('staged');
  expect(staged.score.incomplete).toBe('policy: LLM gateway: the call log quota of this session is spent');
});
