/**
 * Labels never enter a sandbox. A hostile task agent, run through the engine's evaluation path
 * (evaluateSplit hands the batch runner agent views only), dumps everything it can read; the host
 * then searches the dump for the labels of the data set. Controls plant labels on purpose (in a
 * program file, in a task's input) and must be caught, so the search is shown to work.
 */
import { runHarness } from '../../../src/agent/runInSandbox';
import { jsonLines } from '../../../src/util/jsonLines';
import type { ProgramFiles } from '../../../src/agent/program';
import { sandboxFor } from '../../../src/devstack';
import { DomainRegistry, SPLITS, type LoadedTasks, type Task } from '../../../src/domains';
import type { CodingLabel } from '../../../src/domains/coding';
import type { MathGradingLabel } from '../../../src/domains/math-grading';
import { evaluateSplit, type BatchRunner, type TaskAnswer } from '../../../src/evaluation';
import { stackConfig } from '../../helpers/stack';
import { DATA_DIR } from '../helpers';
import { distinctiveValues, HOSTILE_TASK_AGENT, pairedLeaks, stringsOf, visibleText } from './hostile-agent';

const builtins = new DomainRegistry();

const config = stackConfig();
const BATCH = 5;

interface HostileRun {
  haystack: string;
  batch: Task[];
  loaded: LoadedTasks;
}

/** Evaluates the hostile agent on the first train tasks; returns what it found in the sandbox. */
async function hostileRun(
  domainName: string,
  plant: (batch: Task[], loaded: LoadedTasks) => { files?: ProgramFiles; tasks?: Task[] } = () => ({}),
): Promise<HostileRun> {
  const domain = builtins.get(domainName);
  const loaded = await domain.loadTasks({ seed: 0, dataDir: DATA_DIR });
  const batch = loaded.splits.train.slice(0, BATCH);
  const planted = plant(batch, loaded);
  const program: ProgramFiles = { 'task_agent.mjs': HOSTILE_TASK_AGENT, ...planted.files };
  const sandbox = await sandboxFor(config);
  let found: Record<string, Buffer> = {};
  // sandboxBatchRunner's session, plus copying /work/found out (its stdout cap is too small for a dump).
  const run: BatchRunner = async (tasks) => {
    // evaluateSplit also asks for the (empty) rest of the split: keep the first session's dump.
    if (tasks.length === 0) return new Map();
    const res = await runHarness({
      sandbox,
      program,
      script: 'run_tasks.mjs',
      input: { domain: domain.name, describe: domain.describe(), perTaskTimeoutMs: 120_000, tasks },
      limits: { ...config.sandbox, timeoutSec: 300 },
      outputs: ['found'],
    });
    found = res.outputs.files;
    const answers = new Map<string, TaskAnswer>();
    for (const line of jsonLines(res.stdout))
      if (typeof line.id === 'string') answers.set(line.id, { prediction: line.prediction });
    return answers;
  };
  const tasks = planted.tasks ?? batch;
  const report = await evaluateSplit({ domain, tasks, labels: loaded.labels, staged: tasks, gate: 0, run });
  // The agent ran on every task and really walked the filesystem.
  expect(report.tasks.map((t) => t.prediction)).toEqual(tasks.map(() => 'hostile'));
  const haystack = Object.values(found)
    .map((b) => b.toString('utf8'))
    .join('\n');
  for (const seen of ['=== /etc/passwd', '=== /usr/bin/node', '=== /work/harness/run_tasks.mjs'])
    expect(haystack).toContain(seen);
  expect(found['found/memory.txt']?.toString().trim().split('\n')).toHaveLength(tasks.length);
  return { haystack, batch, loaded };
}

const allTasks = (loaded: LoadedTasks): Task[] => SPLITS.flatMap((s) => loaded.splits[s]);
const plantFile = (batch: Task[], loaded: LoadedTasks) => ({
  files: {
    'memory/labels.json': JSON.stringify(
      Object.fromEntries(batch.map((t) => [t.id, loaded.labels.get(t.id)])),
    ),
  },
});

describe('paper-review', () => {
  const words = (loaded: LoadedTasks) =>
    new Map(allTasks(loaded).map((t) => [t.id, [loaded.labels.get(t.id) as string]]));

  test('the hostile agent finds no decision next to any paper id', async () => {
    const { haystack, loaded } = await hostileRun('paper-review');
    expect(pairedLeaks(haystack, words(loaded))).toEqual([]);
  });

  test('control: decisions planted in a program file are found', async () => {
    const { haystack, loaded, batch } = await hostileRun('paper-review', plantFile);
    expect(pairedLeaks(haystack, words(loaded)).sort()).toEqual(batch.map((t) => t.id).sort());
  });

  test('control: a decision planted in a task input is found in the agent memory', async () => {
    const { haystack, loaded, batch } = await hostileRun('paper-review', (b, l) => ({
      tasks: b.map((t, i) =>
        i === 0
          ? { id: t.id, input: { ...(t.input as object), note: `${t.id}:${String(l.labels.get(t.id))}` } }
          : t,
      ),
    }));
    expect(pairedLeaks(haystack, words(loaded))).toEqual([batch[0]!.id]);
  });
});

describe('math-grading', () => {
  const words = (loaded: LoadedTasks) =>
    new Map(allTasks(loaded).map((t) => [t.id, [(loaded.labels.get(t.id) as MathGradingLabel).grade]]));

  test('the hostile agent finds no grade next to any grading id', async () => {
    const { haystack, loaded } = await hostileRun('math-grading');
    expect(pairedLeaks(haystack, words(loaded))).toEqual([]);
  });

  test('control: grades planted in a program file are found', async () => {
    const { haystack, loaded, batch } = await hostileRun('math-grading', plantFile);
    expect(pairedLeaks(haystack, words(loaded)).sort()).toEqual(batch.map((t) => t.id).sort());
  });
});

describe('coding', () => {
  /** Per exercise, the hidden cases' uuids and expected values that the agent was never shown. */
  function secrets(loaded: LoadedTasks): Map<string, string[]> {
    const visible = visibleText(allTasks(loaded), builtins.get('coding').describe());
    return new Map(
      allTasks(loaded).map((t) => {
        const cases = (loaded.labels.get(t.id) as CodingLabel).cases;
        const candidates = cases.flatMap((c) => [c.uuid, ...stringsOf(c.expected)]);
        return [t.id, distinctiveValues(candidates, visible)];
      }),
    );
  }
  const leaks = (haystack: string, loaded: LoadedTasks) =>
    [...secrets(loaded)].filter(([, values]) => values.some((v) => haystack.includes(v))).map(([id]) => id);

  test('the hostile agent finds no hidden case (uuid or distinctive expected value)', async () => {
    const { haystack, loaded } = await hostileRun('coding');
    // The search has something to look for: every exercise has hidden uuids at least.
    expect([...secrets(loaded).values()].every((v) => v.length > 0)).toBe(true);
    expect(leaks(haystack, loaded)).toEqual([]);
  });

  test('control: hidden cases planted in a program file are found', async () => {
    const { haystack, loaded, batch } = await hostileRun('coding', plantFile);
    expect(leaks(haystack, loaded).sort()).toEqual(batch.map((t) => t.id).sort());
  });
});
