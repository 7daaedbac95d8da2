import { META_SET, TASK_SET, seedProgram } from '../../src/agent/layout';
import type { ProgramFiles } from '../../src/agent/program';
import type { TrainExamples } from '../../src/agent/workspace';
import { Archive } from '../../src/archive';
import type { Domain, DomainCatalog, LoadedTasks } from '../../src/domains';
import { createStartNode, parseRunConfig, selfModify, type EngineDeps } from '../../src/engine';
import type { GatewaySession } from '../../src/llm';
import type { Sandbox, SandboxRunSpec } from '../../src/sandbox';
import { MemoryObjectStore } from '../../src/storage';
import { gatewaySession, localNodeSandbox, sessionResult, setOf, validationPassed } from './helpers';

/**
 * The self-modification service over an in-memory archive and a scripted sandbox (the unit boundary,
 * as stub activities are for workflows): what happens to the parent and the child when the meta
 * agent fails.
 */

const tasks: LoadedTasks = {
  splits: {
    train: [{ id: 't1', input: { n: 1 } }],
    val: [{ id: 'VAL-TASK-1', input: { n: 2 } }],
    test: [{ id: 'TEST-TASK-1', input: { n: 3 } }],
  },
  labels: new Map([
    ['t1', 'odd'],
    ['VAL-TASK-1', 'VAL-LABEL'],
    ['TEST-TASK-1', 'TEST-LABEL'],
  ]),
};
const parity: Domain = {
  name: 'parity',
  staged: { sampleSize: 1, gate: 0 },
  describe: () => 'Return "even" or "odd".',
  loadTasks: () => Promise.resolve(tasks),
  score: () => ({ score: 1 }),
  aggregate: () => ({ score: 1 }),
  expectedPrediction: (label) => label,
};
const domains: DomainCatalog = {
  domain: () => parity,
  tasks: () => Promise.resolve(tasks),
  tasksFromFile: () => Promise.reject(new Error('not in this test')),
};
const config = parseRunConfig({ domains: ['parity'], budget: { generations: 5 } });

/**
 * How the scripted meta-agent session ends; validation sessions always pass. `edits` writes each
 * path's new content (null deletes it) and hands the program it was given to `seen`.
 */
type MetaSession =
  | { kind: 'crash' }
  | { kind: 'edit'; file: string; claims?: 'llm' | 'offline' }
  | { kind: 'edits'; edits: Record<string, string | null>; seen?: (program: ProgramFiles) => void };

/** The program part of a sandbox file map. */
function programOf(files: Record<string, string | Buffer>): ProgramFiles {
  const program: ProgramFiles = {};
  for (const [p, content] of Object.entries(files))
    if (p.startsWith('program/')) program[p.slice('program/'.length)] = String(content);
  return program;
}

function scriptedSandbox(meta: () => MetaSession): Sandbox {
  return {
    backend: 'bubblewrap',
    run: (spec: SandboxRunSpec) => {
      const script = spec.command.join(' ');
      if (script.includes('run_validate.mjs'))
        return Promise.resolve(sessionResult({ stdout: validationPassed(spec) }));
      const session = meta();
      if (session.kind === 'crash')
        return Promise.resolve(sessionResult({ outcome: 'crashed', exitCode: 1, stderr: 'boom' }));
      const files: Record<string, Buffer> = {};
      for (const [p, content] of Object.entries(spec.files))
        if (p.startsWith('program/')) files[p] = Buffer.from(content);
      if (session.kind === 'edit') {
        files[`program/${session.file}`] = Buffer.from(
          `${String(spec.files[`program/${session.file}`])}\n// edited\n`,
        );
      } else {
        session.seen?.(programOf(spec.files));
        for (const [p, content] of Object.entries(session.edits)) {
          if (content === null) delete files[`program/${p}`];
          else files[`program/${p}`] = Buffer.from(content);
        }
      }
      const report = {
        strategy: session.kind === 'edit' ? (session.claims ?? 'offline') : 'offline',
        summary: 'edited',
        turns: 0,
      };
      return Promise.resolve(
        sessionResult({ stdout: `${JSON.stringify(report)}\n`, outputs: { files, skipped: [] } }),
      );
    },
  };
}

/** A gateway session that reports what its calls cost (no socket is used by the scripted sandbox). */
const spendingSession = (tokens: number) => (): Promise<GatewaySession> =>
  gatewaySession({
    spent: () => ({ usd: 0, tokens }),
    calls: () => ({ byOutcome: { upstream: 1, replay: 0, refused: 0, error: 0 } }),
  });

function deps(
  meta: (() => MetaSession) | 'real harness',
  openLlmSession: EngineDeps['openLlmSession'] = () => Promise.resolve(undefined),
) {
  const archive = new Archive(new MemoryObjectStore());
  const sandbox = meta === 'real harness' ? localNodeSandbox() : scriptedSandbox(meta);
  const d: EngineDeps = {
    archive,
    sandbox: () => Promise.resolve(sandbox),
    limits: { memoryMb: 256, cpus: 1, pids: 64, timeoutSec: 60, scratchMb: 64 },
    domains,
    openLlmSession,
    recordedSpend: () => Promise.resolve({ usd: 0, tokens: 0 }),
  };
  return d;
}

const step = (generation: number, parentId: string, runConfig = config) => ({
  runId: 'run-1',
  generation,
  config: runConfig,
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

test('the strategy label comes from what the host saw, not from what the program claims', async () => {
  // Claims llm, but no model answered a call: not an LLM result.
  const boasting = deps(() => ({ kind: 'edit', file: 'task_agent.mjs', claims: 'llm' }));
  const start = await createStartNode(boasting, { runId: 'run-1', config });
  await selfModify(boasting, step(1, start.nodeId));
  expect((await boasting.archive.requireNode('run-1', 'gen-00001')).strategy).toBe('unknown');

  // Claims offline, but the model answered its calls: an LLM result.
  const hiding = deps(
    () => ({ kind: 'edit', file: 'task_agent.mjs', claims: 'offline' }),
    spendingSession(0),
  );
  const start2 = await createStartNode(hiding, { runId: 'run-1', config });
  await selfModify(hiding, step(1, start2.nodeId));
  expect((await hiding.archive.requireNode('run-1', 'gen-00001')).strategy).toBe('llm');

  // Says offline and no model was involved: offline.
  const honest = deps(() => ({ kind: 'edit', file: 'task_agent.mjs', claims: 'offline' }));
  const start3 = await createStartNode(honest, { runId: 'run-1', config });
  await selfModify(honest, step(1, start3.nodeId));
  expect((await honest.archive.requireNode('run-1', 'gen-00001')).strategy).toBe('offline');
});

test("a meta agent's output holding a tool file (.git/config) is refused: the child is invalid, with the reason", async () => {
  const d = deps(() => ({
    kind: 'edits',
    edits: { '.git/config': '[core]\n\tfsmonitor = touch /tmp/pwned\n', 'task_agent.mjs': '// rewritten\n' },
  }));
  const start = await createStartNode(d, { runId: 'run-1', config });
  const child = await selfModify(d, step(1, start.nodeId));
  expect(child.validation.passed).toBe(false);
  expect(child.validation.reasons[0]).toMatch(/^program path '\.git\/config' refused/);
  // Nothing of the refused output is stored: the child's program is its parent's.
  expect(await nodeProgram(d, 'run-1', child.nodeId)).toEqual(await nodeProgram(d, 'run-1', start.nodeId));
});

test('a meta agent that broke a rule at the LLM gateway is classified policy, and its parent barred with the rule', async () => {
  const breaking = (): Promise<GatewaySession> =>
    gatewaySession({ violation: () => "role 'meta' is not this session's (task)" });
  const sessions: MetaSession[] = [
    { kind: 'edit', file: 'task_agent.mjs' },
    { kind: 'edit', file: 'task_agent.mjs' },
  ];
  let open: EngineDeps['openLlmSession'] = () => Promise.resolve(undefined);
  const d = deps(
    () => sessions.shift()!,
    (r) => open(r),
  );
  const start = await createStartNode(d, { runId: 'run-1', config });
  const child = await selfModify(d, step(1, start.nodeId));
  open = breaking;
  const grandchild = await selfModify(d, step(2, child.nodeId));
  expect(grandchild.validation.reasons).toContain('meta agent policy');
  expect(await d.archive.requireNode('run-1', grandchild.nodeId)).toMatchObject({ metaOutcome: 'policy' });
  expect(await d.archive.requireNode('run-1', child.nodeId)).toMatchObject({
    barred: true,
    barredReason: "meta agent policy in generation 2: LLM gateway: role 'meta' is not this session's (task)",
  });
});

async function nodeProgram(d: EngineDeps, runId: string, nodeId: string): Promise<ProgramFiles> {
  return d.archive.getProgram((await d.archive.requireNode(runId, nodeId)).snapshotKey);
}

const frozen = parseRunConfig({ domains: ['parity'], budget: { generations: 5 }, method: 'no-self-improve' });

describe('the meta agent is one set of files (META_SET), frozen as one', () => {
  test('the seed lays each agent out as its entry point and its own folder', async () => {
    const seed = await seedProgram();
    expect(Object.keys(setOf(seed, META_SET))).toEqual(
      expect.arrayContaining(['meta_agent.mjs', 'meta/params.json', 'meta/mutate.mjs', 'meta/tool_loop.mjs']),
    );
    expect(Object.keys(setOf(seed, TASK_SET))).toEqual(
      expect.arrayContaining(['task_agent.mjs', 'task/params.json', 'task/prompts.mjs']),
    );
  });

  test('the offline meta strategy (real harness) never changes a META_SET file in a no-self-improve run', async () => {
    const d = deps('real harness');
    const start = await createStartNode(d, { runId: 'run-1', config: frozen });
    const startProgram = await nodeProgram(d, 'run-1', start.nodeId);
    let parentId = start.nodeId;
    for (let g = 1; g <= 3; g++) {
      const child = await selfModify(d, step(g, parentId, frozen));
      expect(child.validation.reasons).toEqual([]);
      const record = await d.archive.requireNode('run-1', child.nodeId);
      expect(record).toMatchObject({ strategy: 'offline', metaChanged: false });
      // What the offline strategy did to its own mutation rates was reverted.
      expect(record.revertedPaths).toEqual(['meta/params.json']);
      const program = await nodeProgram(d, 'run-1', child.nodeId);
      expect(setOf(program, META_SET)).toEqual(setOf(startProgram, META_SET));
      // The task agent did evolve.
      expect(program['task/params.json']).not.toBe(startProgram['task/params.json']);
      parentId = child.nodeId;
    }
  }, 60_000);

  test('under dgm-h the same strategy changes its own parameters, and metaChanged says so', async () => {
    const d = deps('real harness');
    const start = await createStartNode(d, { runId: 'run-1', config });
    const child = await selfModify(d, step(1, start.nodeId));
    const record = await d.archive.requireNode('run-1', child.nodeId);
    expect(record.changedPaths).toEqual(expect.arrayContaining(['meta/params.json', 'task/params.json']));
    expect(record.metaChanged).toBe(true);
    expect(record.revertedPaths).toEqual([]);
  }, 60_000);

  test('metaChanged is true when only meta/params.json changed', async () => {
    const d = deps(() => ({ kind: 'edits', edits: { 'meta/params.json': '{"mutationRate":0.38}\n' } }));
    const start = await createStartNode(d, { runId: 'run-1', config });
    const child = await selfModify(d, step(1, start.nodeId));
    expect(child.validation.passed).toBe(true);
    expect(await d.archive.requireNode('run-1', child.nodeId)).toMatchObject({
      changedPaths: ['meta/params.json'],
      metaChanged: true,
    });
  });

  test("a frozen run runs the start node's meta agent and stores the start node's META_SET, whatever the parent's", async () => {
    const seen: ProgramFiles[] = [];
    const metaEdits = {
      'meta_agent.mjs': '// a rewritten meta agent\nexport async function improve() {}\n',
      'meta/params.json': '{"mutationRate":0.38}\n',
      'meta/extra.mjs': 'export const x = 1;\n',
      'meta/tool_loop.mjs': null,
    };
    const sessions: MetaSession[] = [
      // Generation 1 under dgm-h: a parent whose meta agent drifted (as runs recorded before the fix did).
      { kind: 'edits', edits: { ...metaEdits } },
      // Generation 2, frozen: the session sees the start node's meta agent and edits both agents.
      {
        kind: 'edits',
        edits: { ...metaEdits, 'task/params.json': '{"domains":{}}\n' },
        seen: (p) => seen.push(p),
      },
    ];
    const d = deps(() => sessions.shift()!);
    const start = await createStartNode(d, { runId: 'run-1', config: frozen });
    const startProgram = await nodeProgram(d, 'run-1', start.nodeId);
    const drifted = await selfModify(d, step(1, start.nodeId));
    expect((await d.archive.requireNode('run-1', drifted.nodeId)).metaChanged).toBe(true);
    const driftedProgram = await nodeProgram(d, 'run-1', drifted.nodeId);

    const child = await selfModify(d, step(2, drifted.nodeId, frozen));
    // The session ran the start node's meta agent over the parent's everything else.
    expect(setOf(seen[0]!, META_SET)).toEqual(setOf(startProgram, META_SET));
    expect(setOf(seen[0]!, TASK_SET)).toEqual(setOf(driftedProgram, TASK_SET));
    const program = await nodeProgram(d, 'run-1', child.nodeId);
    expect(setOf(program, META_SET)).toEqual(setOf(startProgram, META_SET));
    expect(program['task/params.json']).toBe('{"domains":{}}\n');
    const record = await d.archive.requireNode('run-1', child.nodeId);
    expect(record.revertedPaths).toEqual([
      'meta/extra.mjs',
      'meta/params.json',
      'meta/tool_loop.mjs',
      'meta_agent.mjs',
    ]);
  });
});

describe('transfer resets exactly one set to the seed', () => {
  /** A source run whose gen-00001 changed, added and removed files of both agents and its memory. */
  async function evolvedSource() {
    const d = deps(() => ({
      kind: 'edits',
      edits: {
        'task_agent.mjs':
          '// evolved task agent\nexport async function solve() { return { prediction: 1 }; }\n',
        'task/params.json': '{"domains":{"parity":{"w":1}}}\n',
        'task/learned.mjs': 'export const learned = 1;\n',
        'task/prompts.mjs': null,
        'meta/params.json': '{"mutationRate":0.38}\n',
        'meta/learned.mjs': 'export const learned = 2;\n',
        'memory/notes.md': '# Notes\nevolved\n',
      },
    }));
    const start = await createStartNode(d, { runId: 'run-src', config });
    await selfModify(d, { ...step(1, start.nodeId), runId: 'run-src' });
    const node = await d.archive.requireNode('run-src', 'gen-00001');
    return { d, evolved: await d.archive.getProgram(node.snapshotKey) };
  }

  test.each(['task', 'meta'] as const)(
    "reset '%s' restores exactly that set, byte-equal to the seed",
    async (reset) => {
      const { d, evolved } = await evolvedSource();
      const seed = await seedProgram();
      const [resetSet, keptSet] = reset === 'task' ? [TASK_SET, META_SET] : [META_SET, TASK_SET];
      const transfer = parseRunConfig({
        domains: ['parity'],
        budget: { generations: 1 },
        start: { run: 'run-src', node: 'gen-00001', reset },
      });
      const start = await createStartNode(d, { runId: 'run-dst', config: transfer });
      const program = await nodeProgram(d, 'run-dst', start.nodeId);
      expect(setOf(program, resetSet)).toEqual(setOf(seed, resetSet));
      expect(setOf(program, keptSet)).toEqual(setOf(evolved, keptSet));
      expect(setOf(program, keptSet)).not.toEqual(setOf(seed, keptSet));
      expect(program['memory/notes.md']).toBe(evolved['memory/notes.md']);
    },
  );
});

test("without open-ended exploration the meta agent sees its parent's results only, not the archive", async () => {
  const historyGiven = async (method: 'dgm-h' | 'no-open-ended') => {
    const run = parseRunConfig({ domains: ['parity'], budget: { generations: 5 }, method });
    const stdins: string[] = [];
    const d = deps(() => ({ kind: 'edit', file: 'task_agent.mjs' }));
    const scripted = await d.sandbox();
    d.sandbox = () =>
      Promise.resolve({
        backend: scripted.backend,
        run: (spec) => {
          if (spec.command.join(' ').includes('run_meta.mjs')) stdins.push(spec.stdin ?? '');
          return scripted.run(spec);
        },
      });
    const start = await createStartNode(d, { runId: 'run-1', config: run });
    const first = await selfModify(d, step(1, start.nodeId, run));
    await selfModify(d, step(2, first.nodeId, run));
    return (JSON.parse(stdins[1]!) as { history: { lineage: string[]; nodes: Array<{ id: string }> } })
      .history;
  };
  const latestOnly = await historyGiven('no-open-ended');
  expect(latestOnly.nodes.map((n) => n.id)).toEqual(['gen-00001']);
  expect(latestOnly.lineage).toEqual(['gen-00001']);
  const archive = await historyGiven('dgm-h');
  expect(archive.nodes.map((n) => n.id)).toEqual(['gen-00001', 'gen-00000']);
});

test("the budget's refusal of the meta agent's calls is kept in the node, so a retry sees it too", async () => {
  const refused = (): Promise<GatewaySession> =>
    gatewaySession({
      spent: () => ({ usd: 0.5, tokens: 100 }),
      calls: () => ({
        byOutcome: { upstream: 3, replay: 0, refused: 1, error: 0 },
        firstRefusal: 'run USD budget exceeded',
      }),
    });
  const d = deps(() => ({ kind: 'edit', file: 'task_agent.mjs' }), refused);
  const start = await createStartNode(d, { runId: 'run-1', config });
  const child = await selfModify(d, step(1, start.nodeId));
  expect(child.budgetRefusal).toBe('run USD budget exceeded');
  expect((await d.archive.requireNode('run-1', child.nodeId)).budgetRefusal).toBe('run USD budget exceeded');
  expect((await selfModify(d, step(1, start.nodeId))).budgetRefusal).toBe('run USD budget exceeded');
});

describe("the meta agent's workspace", () => {
  const split = (score: number, reportKey: string) => ({
    score,
    basis: 'full' as const,
    evaluated: 1,
    total: 1,
    reportKey,
  });

  test("holds its parent's train examples (prediction, label, score, trace) and nothing of val/test; the child keeps none of it", async () => {
    const seen: ProgramFiles[] = [];
    const d = deps(() => ({
      kind: 'edits',
      edits: {
        'workspace/scratch.txt': 'notes the session wrote',
        'workspace/archive.json': '{}',
        'task/params.json': '{"domains":{}}\n',
      },
      seen: (p) => seen.push(p),
    }));
    const start = await createStartNode(d, { runId: 'run-1', config });
    const trainKey = await d.archive.putReport('run-1', start.nodeId, 'parity', 'train', {
      score: 0.5,
      tasks: [
        {
          id: 't1',
          prediction: 'even',
          score: 0,
          details: { why: 'TRAIN-DETAIL' },
          answer: 'offline',
          trace: { path: 'offline', note: 'TRAIN-TRACE' },
        },
        // A report that held a task of another split could not carry it in.
        { id: 'VAL-TASK-1', prediction: 'VAL-PREDICTION', score: 1 },
      ],
    });
    const valKey = await d.archive.putReport('run-1', start.nodeId, 'parity', 'val', {
      score: 0.777,
      tasks: [{ id: 'VAL-TASK-1', prediction: 'VAL-PREDICTION', score: 0.777 }],
    });
    await d.archive.updateNode('run-1', start.nodeId, {
      scores: { parity: { train: split(0.5, trainKey), val: split(0.777, valKey) } },
    });

    const child = await selfModify(d, step(1, start.nodeId));

    const given = seen[0]!;
    const examples = JSON.parse(given['workspace/examples/parity.json']!) as TrainExamples;
    expect(examples).toEqual({
      domain: 'parity',
      describe: 'Return "even" or "odd".',
      split: 'train',
      node: start.nodeId,
      comparison: 'exact',
      examples: [
        {
          id: 't1',
          input: { n: 1 },
          prediction: 'even',
          label: 'odd',
          expected: 'odd',
          score: 0,
          details: { why: 'TRAIN-DETAIL' },
          answer: 'offline',
          trace: { path: 'offline', note: 'TRAIN-TRACE' },
        },
      ],
    });
    expect(JSON.parse(given['workspace/archive.json']!)).toMatchObject({
      nodeId: start.nodeId,
      nodes: [{ id: start.nodeId, train: { parity: 0.5 } }],
    });
    expect(given['workspace/run_train.mjs']).toMatch(/node workspace\/run_train\.mjs/);
    const workspace = Object.entries(given)
      .filter(([p]) => p.startsWith('workspace/'))
      .map(([, text]) => text)
      .join('\n');
    for (const secret of ['VAL-TASK-1', 'TEST-TASK-1', 'VAL-LABEL', 'TEST-LABEL', 'VAL-PREDICTION', '0.777'])
      expect(workspace).not.toContain(secret);

    // The session wrote into workspace/; the stored child has no workspace/ path, and nothing else was refused.
    const program = await nodeProgram(d, 'run-1', child.nodeId);
    expect(Object.keys(program).filter((p) => p.startsWith('workspace'))).toEqual([]);
    expect(await d.archive.requireNode('run-1', child.nodeId)).toMatchObject({
      changedPaths: ['task/params.json'],
      validation: { passed: true },
    });
  });

  test('a parent without a train report gets every train task with its label, and no answers', async () => {
    const seen: ProgramFiles[] = [];
    const d = deps(() => ({
      kind: 'edits',
      edits: { 'task/params.json': '{}\n' },
      seen: (p) => seen.push(p),
    }));
    const start = await createStartNode(d, { runId: 'run-1', config });
    await selfModify(d, step(1, start.nodeId));
    expect(
      Object.keys(seen[0]!)
        .filter((p) => p.startsWith('workspace/'))
        .sort(),
    ).toEqual([
      'workspace/README.md',
      'workspace/archive.json',
      'workspace/examples/parity.json',
      'workspace/index.json',
      'workspace/run_train.mjs',
    ]);
    const examples = (JSON.parse(seen[0]!['workspace/examples/parity.json']!) as TrainExamples).examples;
    // The one train task, labelled; nothing of validation or test.
    expect(examples).toEqual([
      {
        id: 't1',
        input: { n: 1 },
        label: expect.anything() as unknown,
        expected: expect.anything() as unknown,
      },
    ]);
  });
});
