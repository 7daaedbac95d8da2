import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { EngineHarness } from './helpers';

// The worked example of src/domains/README.md, as a user would write it.
const PARITY = path.resolve(__dirname, '../../examples/domains/parity.js');

let h: EngineHarness;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-user-domain-'));
  fs.mkdirSync(path.join(dir, 'my-domains'));
  fs.copyFileSync(PARITY, path.join(dir, 'my-domains', 'parity.js'));
  const file = path.join(dir, 'hyperagents.config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ domainModules: [{ name: 'parity', module: './my-domains/parity.js' }] }),
  );
  h = await new EngineHarness(loadConfig({ file, env: { ...process.env, HYPERAGENTS_CONFIG: '' } })).start();
});
afterAll(async () => {
  await h.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a domain registered from a module in the config runs in an evolution', async () => {
  const { runId, handle } = await h.startRun({
    domains: ['parity'],
    budget: { generations: 2 },
    seed: 'parity',
  });
  const final = await handle.result();
  expect(final.domains).toEqual(['parity']);
  expect(final.generationsDone).toBe(2);
  const nodes = await h.nodes(runId);
  expect(nodes).toHaveLength(3);
  // The seed's generic fallback answers the first quoted option, "even": of the validation
  // numbers 4, 5, 6 two are even.
  expect(nodes[0]!.scores.parity?.val).toMatchObject({ score: 2 / 3, basis: 'full', evaluated: 3, total: 3 });
  // Test split 7, 8, 9: only 8 is even.
  expect(nodes[0]!.scores.parity?.test?.score).toBeCloseTo(1 / 3, 12);
}, 300_000);

test("the agent-editable selector (the program's select_parent.mjs, in the sandbox) picks the parents", async () => {
  const { runId, handle } = await h.startRun({
    domains: ['parity'],
    selection: 'agent',
    budget: { generations: 3 },
    seed: 'selector',
  });
  const final = await handle.result();
  expect(final.failures).toBe(0);
  const nodes = await h.nodes(runId);
  expect(nodes.map((n) => n.nodeId)).toEqual(['gen-00000', 'gen-00001', 'gen-00002', 'gen-00003']);
  // Every parent is an earlier node that was eligible when chosen (the seed is the only one at first).
  expect(nodes[1]!.parentId).toBe('gen-00000');
  for (const n of nodes.slice(1)) expect(n.generation).toBeGreaterThan(Number(n.parentId!.slice(4)));
  // The program's own selector answered every time (no fallback to the built-in rule).
  for (const n of nodes.slice(1)) {
    const record = JSON.parse(
      (await h.store.get(`runs/${runId}/selection/${n.nodeId}.json`))!.toString(),
    ) as Record<string, unknown>;
    expect(record).toMatchObject({ generation: n.generation, policy: 'editable', nodeId: n.parentId });
    expect(record.fallback).toBeUndefined();
  }
}, 300_000);

test('parallel generations: two at once, none lost', async () => {
  const { runId, handle } = await h.startRun({
    domains: ['parity'],
    parallelism: 2,
    budget: { generations: 4 },
    seed: 'parallel',
  });
  const final = await handle.result();
  expect([final.generationsStarted, final.generationsDone, final.failures]).toEqual([4, 4, 0]);
  expect((await h.nodes(runId)).map((n) => n.nodeId)).toEqual([0, 1, 2, 3, 4].map((g) => `gen-0000${g}`));
}, 300_000);
