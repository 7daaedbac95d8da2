import { archiveTable } from '../../src/cli/format';
import { startOpenAIStub, type OpenAIStub } from '../fixtures/openai-stub';
import { EngineHarness, llmEndpointConfig, smallRun } from './helpers';

/**
 * An endpoint that fails every call: the seed's task agent falls back to its heuristic, and the
 * engine must not score the node as if the model had answered.
 */
let stub: OpenAIStub;
let h: EngineHarness;
beforeAll(async () => {
  // 400 is not retried, so every call fails at once.
  stub = await startOpenAIStub({ fallback: { kind: 'error', status: 400, message: 'model overloaded' } });
  h = await new EngineHarness(llmEndpointConfig(stub.baseURL, 'sk-faults')).start();
});
afterAll(async () => {
  await h.stop();
  await stub.close();
});

test('evaluations during an outage are incomplete: fallbacks counted, never ranked, shown in the archive', async () => {
  const { runId, handle } = await h.startRun(
    smallRun({ domains: ['paper-review'], budget: { generations: 1 }, testAtEnd: false }),
  );
  const final = await handle.result();
  const start = (await h.archive.getNode(runId, 'gen-00000'))!;
  const train = start.scores['paper-review']!.train!;
  expect(train.incomplete).toMatch(/^\d+ LLM call\(s\) failed: /);
  // Every staged task was asked, every call failed, and the agent answered with its heuristic.
  expect(train.answers).toEqual({ model: 0, fallback: train.evaluated, offline: 0, failed: 0 });
  // Never ranked on it: not the run's best, not eligible (the start node still parents generation 1).
  expect(final.bestNodeId).toBeUndefined();
  expect(final.generationsDone).toBe(1);
  const child = (await h.archive.getNode(runId, 'gen-00001'))!;
  expect(child.parentId).toBe('gen-00000');
  const table = archiveTable(await h.archive.listNodes(runId), ['paper-review']);
  expect(table).toMatch(/gen-00000 .*!\/.*!/);
  expect(table).toContain(`0/${train.evaluated}/0/0`);
  expect(table).toContain('! incomplete: LLM calls were refused or failed');
}, 300_000);

test('a budget refusal during evaluation stops the run cleanly, with the reason', async () => {
  const { runId, handle } = await h.startRun(
    smallRun({ domains: ['paper-review'], budget: { generations: 5, tokens: 1 }, testAtEnd: false }),
  );
  const final = await handle.result();
  expect(final.stopReason).toMatch(
    /^LLM budget exhausted during evaluation of gen-00000: run token budget exceeded/,
  );
  expect(final.generationsDone).toBe(0);
  const start = (await h.archive.getNode(runId, 'gen-00000'))!;
  expect(start.scores['paper-review']!.train!.incomplete).toMatch(/refused/);
}, 300_000);
