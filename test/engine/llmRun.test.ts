import { selectionSnapshotOf } from '../../src/archive';
import { loadConfig } from '../../src/config';
import type { CallRecord } from '../../src/llm';
import { pauseSignal, resumeSignal } from '../../workflows/messages';
import { startOpenAIStub, type OpenAIStub } from '../fixtures/openai-stub';
import { EngineHarness, llmEndpointConfig, smallRun } from './helpers';

const META_MARKER = "export const OFFLINE_LABEL = 'offline evolutionary mutation (no LLM)';";

let stub: OpenAIStub;
let h: EngineHarness;
let editedRun: string | undefined;
beforeAll(async () => {
  // Anything unscripted (the task agent's calls) gets a valid paper-review answer.
  stub = await startOpenAIStub({ fallback: { kind: 'text', content: 'reject' } });
  h = await new EngineHarness(llmEndpointConfig(stub.baseURL, 'sk-engine-test')).start();
});
afterAll(async () => {
  await h.stop();
  await stub.close();
});

/** Starts a paused run and waits for its start node, so scripted replies reach the meta agent of generation 1. */
async function startPaused(over: Parameters<typeof smallRun>[0]) {
  const run = await h.startRun(smallRun({ domains: ['paper-review'], ...over }));
  await run.handle.signal(pauseSignal);
  await h.waitFor(run.runId, (s) => s.bestNodeId !== undefined && s.running.length === 0);
  return run;
}

test('the meta agent edits the program through the gateway, itself included; the child snapshot holds the edit', async () => {
  const { runId, handle } = await startPaused({ budget: { generations: 1 }, testAtEnd: false });
  editedRun = runId;
  stub.enqueue(
    {
      kind: 'toolCalls',
      toolCalls: [
        {
          id: 'edit-meta',
          name: 'editor',
          arguments: {
            command: 'str_replace',
            path: 'meta_agent.mjs',
            old_str: META_MARKER,
            new_str: `// tuned by the LLM meta agent\n${META_MARKER}`,
          },
        },
        {
          id: 'edit-task',
          name: 'bash',
          arguments: { command: "printf '// tuned task agent\\n' >> task_agent.mjs" },
        },
      ],
    },
    { kind: 'text', content: 'Edited both agents.' },
  );
  await handle.signal(resumeSignal);
  const final = await handle.result();
  const child = (await h.archive.getNode(runId, 'gen-00001'))!;
  expect(child).toMatchObject({
    strategy: 'llm',
    metaChanged: true,
    patchEmpty: false,
    validation: { passed: true },
  });
  expect([...child.changedPaths].sort()).toEqual(
    expect.arrayContaining(['meta_agent.mjs', 'task_agent.mjs']),
  );
  const program = await h.archive.getProgram(child.snapshotKey);
  expect(program['meta_agent.mjs']).toContain('// tuned by the LLM meta agent');
  expect(program['task_agent.mjs']?.endsWith('// tuned task agent\n')).toBe(true);
  expect(final.spentTokens).toBeGreaterThan(0);
  // The key stayed in the worker: the stub saw it, and no call log stored it.
  expect(stub.requests.some((r) => String(r.headers.authorization).includes('sk-engine-test'))).toBe(true);
  const logs = await h.store.list(`runs/${runId}/llm/`);
  expect(logs.length).toBeGreaterThan(0);
  for (const key of logs.slice(0, 5))
    expect((await h.store.get(key))!.toString()).not.toContain('sk-engine-test');
}, 300_000);

test('a child whose edit breaks loading is archived as ineligible', async () => {
  const { runId, handle } = await startPaused({ budget: { generations: 1 }, testAtEnd: false });
  stub.enqueue(
    {
      kind: 'toolCalls',
      toolCalls: [
        {
          id: 'break',
          name: 'bash',
          arguments: { command: "printf 'export const = ;\\n' >> task_agent.mjs" },
        },
      ],
    },
    { kind: 'text', content: 'Broke it.' },
  );
  await handle.signal(resumeSignal);
  const final = await handle.result();
  const child = (await h.archive.getNode(runId, 'gen-00001'))!;
  expect(child.validation.passed).toBe(false);
  expect(child.validation.reasons.join(' ')).toMatch(/task_agent\.mjs/);
  expect(final.bestNodeId).toBe('gen-00000');
  const snapshot = selectionSnapshotOf(await h.archive.listNodes(runId), ['paper-review']);
  expect(snapshot.candidates.find((c) => c.id === 'gen-00001')?.eligible).toBe(false);
}, 300_000);

test('with the meta agent frozen (no-self-improve), its edit to meta_agent.mjs is reverted', async () => {
  const { runId, handle } = await startPaused({
    method: 'no-self-improve',
    budget: { generations: 1 },
    testAtEnd: false,
  });
  stub.enqueue(
    {
      kind: 'toolCalls',
      toolCalls: [
        { id: 'meta', name: 'bash', arguments: { command: "printf '// self edit\\n' >> meta_agent.mjs" } },
        { id: 'task', name: 'bash', arguments: { command: "printf '// task edit\\n' >> task_agent.mjs" } },
      ],
    },
    { kind: 'text', content: 'Done.' },
  );
  await handle.signal(resumeSignal);
  await handle.result();
  const child = (await h.archive.getNode(runId, 'gen-00001'))!;
  expect(child.revertedPaths).toEqual(['meta_agent.mjs']);
  expect(child.metaChanged).toBe(false);
  expect(child.changedPaths).toContain('task_agent.mjs');
  const program = await h.archive.getProgram(child.snapshotKey);
  expect(program['meta_agent.mjs']).not.toContain('// self edit');
}, 300_000);

test('a rerun with llm.replayRun answers from the recorded calls, with no endpoint configured', async () => {
  expect(editedRun).toBeDefined();
  const before = stub.requests.length;
  const offline = new EngineHarness(loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '' } }));
  await offline.start();
  try {
    const { runId, handle } = await offline.startRun(
      smallRun({
        domains: ['paper-review'],
        budget: { generations: 1 },
        testAtEnd: false,
        llm: { replayRun: editedRun },
      }),
    );
    await handle.result();
    const child = (await offline.archive.getNode(runId, 'gen-00001'))!;
    const original = (await h.archive.getNode(editedRun!, 'gen-00001'))!;
    expect(child.strategy).toBe('llm');
    expect(child.snapshotKey).toBe(original.snapshotKey); // the same edits, byte for byte
    expect(stub.requests.length).toBe(before); // nothing reached an endpoint
  } finally {
    await offline.stop();
  }
}, 300_000);

test('the held-out test evaluation asks the model, and its calls are metered into the run', async () => {
  const { runId, handle } = await startPaused({ budget: { generations: 1 }, testAtEnd: true });
  stub.enqueue({ kind: 'text', content: 'No change this time.' });
  await handle.signal(resumeSignal);
  const final = await handle.result();
  expect(final.test?.startNodeId).toBe('gen-00000');
  const records = await Promise.all(
    (await h.store.list(`runs/${runId}/llm/`)).map(
      async (key) => JSON.parse((await h.store.get(key))!.toString()) as CallRecord,
    ),
  );
  const testCalls = records.filter((r) => r.purpose === 'test:paper-review' && r.nodeId === 'gen-00000');
  // Every test task of the start node was answered by the model (the stub says "reject").
  expect(testCalls.length).toBe(10);
  expect(testCalls.every((r) => r.outcome === 'upstream')).toBe(true);
  const spentOnTest = testCalls.reduce((sum, r) => sum + r.usage.promptTokens + r.usage.completionTokens, 0);
  expect(spentOnTest).toBeGreaterThan(0);
  const spentOnAll = records.reduce((sum, r) => sum + r.usage.promptTokens + r.usage.completionTokens, 0);
  expect(final.spentTokens).toBe(spentOnAll);
}, 300_000);
