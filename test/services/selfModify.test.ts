import { seedProgram } from '../../src/agent/layout';
import { Archive } from '../../src/archive';
import type { Domain, DomainCatalog, LoadedTasks } from '../../src/domains';
import { createStartNode, parseRunConfig, selfModify, type EngineDeps } from '../../src/engine';
import type { GatewaySession } from '../../src/llm';
import type { Sandbox, SandboxResult, SandboxRunSpec } from '../../src/sandbox';
import { MemoryObjectStore } from '../../src/storage';

/**
 * The self-modification service over an in-memory archive and a scripted sandbox (the unit boundary,
 * as stub activities are for workflows): what happens to the parent and the child when the meta
 * agent fails.
 */

const tasks: LoadedTasks = {
  splits: { train: [{ id: 't1', input: { n: 1 } }], val: [], test: [] },
  labels: new Map([['t1', 'odd']]),
};
const parity: Domain = {
  name: 'parity',
  staged: { sampleSize: 1, gate: 0 },
  describe: () => 'Return "even" or "odd".',
  loadTasks: () => Promise.resolve(tasks),
  score: () => ({ score: 1 }),
  aggregate: () => ({ score: 1 }),
};
const domains: DomainCatalog = {
  domain: () => parity,
  tasks: () => Promise.resolve(tasks),
  tasksFromFile: () => Promise.reject(new Error('not in this test')),
};
const config = parseRunConfig({ domains: ['parity'], budget: { generations: 5 } });

/** How the scripted meta-agent session ends; validation sessions always pass. */
type MetaSession = { kind: 'crash' } | { kind: 'edit'; file: string };

function scriptedSandbox(meta: () => MetaSession): Sandbox {
  const result = (over: Partial<SandboxResult>): SandboxResult => ({
    outcome: 'ok',
    exitCode: 0,
    stdout: '',
    stderr: '',
    durationMs: 1,
    outputs: { files: {}, skipped: [] },
    ...over,
  });
  return {
    backend: 'bubblewrap',
    run: (spec: SandboxRunSpec) => {
      const script = spec.command.join(' ');
      if (script.includes('run_validate.mjs'))
        return Promise.resolve(result({ stdout: `${JSON.stringify({ ok: true, reasons: [] })}\n` }));
      const session = meta();
      if (session.kind === 'crash')
        return Promise.resolve(result({ outcome: 'crashed', exitCode: 1, stderr: 'boom' }));
      const files: Record<string, Buffer> = {};
      for (const [p, content] of Object.entries(spec.files))
        if (p.startsWith('program/')) files[p] = Buffer.from(content);
      files[`program/${session.file}`] = Buffer.from(
        `${String(spec.files[`program/${session.file}`])}\n// edited\n`,
      );
      const report = { strategy: 'offline', summary: 'edited', turns: 0 };
      return Promise.resolve(
        result({ stdout: `${JSON.stringify(report)}\n`, outputs: { files, skipped: [] } }),
      );
    },
  };
}

/** A gateway session that reports what its calls cost (no socket is used by the scripted sandbox). */
const spendingSession = (tokens: number) => (): Promise<GatewaySession> =>
  Promise.resolve({
    socketDir: '/nonexistent',
    spent: () => ({ usd: 0, tokens }),
    close: () => Promise.resolve(),
  });

function deps(
  meta: () => MetaSession,
  openLlmSession: EngineDeps['openLlmSession'] = () => Promise.resolve(undefined),
) {
  const archive = new Archive(new MemoryObjectStore());
  const d: EngineDeps = {
    archive,
    sandbox: () => Promise.resolve(scriptedSandbox(meta)),
    limits: { memoryMb: 256, cpus: 1, pids: 64, timeoutSec: 60, scratchMb: 64 },
    domains,
    openLlmSession,
  };
  return d;
}

const step = (generation: number, parentId: string) => ({
  runId: 'run-1',
  generation,
  config,
  parentId,
  budgetLeft: {},
  generationsLeft: 5 - generation,
});

test('a crash of the start node meta agent never bars the start node; a later parent is barred', async () => {
  const sessions: MetaSession[] = [
    { kind: 'crash' },
    { kind: 'edit', file: 'task_agent.mjs' },
    { kind: 'crash' },
  ];
  const d = deps(() => sessions.shift()!);
  expect(await seedProgram()).toHaveProperty(['task_agent.mjs']);
  const start = await createStartNode(d, { runId: 'run-1', config });

  const crashed = await selfModify(d, step(1, start.nodeId));
  expect(crashed.validation.reasons).toContain('meta agent crashed');
  expect((await d.archive.requireNode('run-1', start.nodeId)).barred).toBeUndefined();

  const child = await selfModify(d, step(2, start.nodeId));
  expect(child.validation.passed).toBe(true);
  await selfModify(d, step(3, child.nodeId));
  expect(await d.archive.requireNode('run-1', child.nodeId)).toMatchObject({
    barred: true,
    barredReason: expect.stringMatching(/^meta agent crashed in generation 3/) as unknown,
  });
});

test('a crashed session is labelled llm when it spent on the model, unknown when it said nothing', async () => {
  const silent = deps(() => ({ kind: 'crash' }));
  const start = await createStartNode(silent, { runId: 'run-1', config });
  await selfModify(silent, step(1, start.nodeId));
  expect((await silent.archive.requireNode('run-1', 'gen-00001')).strategy).toBe('unknown');

  const spending = deps(() => ({ kind: 'crash' }), spendingSession(1234));
  const start2 = await createStartNode(spending, { runId: 'run-1', config });
  await selfModify(spending, step(1, start2.nodeId));
  expect(await spending.archive.requireNode('run-1', 'gen-00001')).toMatchObject({
    strategy: 'llm',
    metaOutcome: 'crashed',
    tokens: 1234,
  });
});
