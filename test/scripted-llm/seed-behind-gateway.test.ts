/**
 * The closed loop with the seed's own agents, as the worker wires them: the real LLM gateway (role
 * → model, metering, retries) in front of the scripted world, the seed's meta agent and task agent
 * run by the harness. A hint the meta model adds reaches the task prompts and raises the skill the
 * world applies; a META-SKILL marker it adds reaches the next session's system message.
 */
import * as path from 'path';
import { InMemoryCallLog, LlmGateway } from '../../src/llm';
import { type Layout, makeLayout, removeLayout, runScript } from '../agent-seed/harness';
import {
  onlyAction,
  type MetaAction,
  type ScriptedLlmWorld,
  startScriptedLlmWorld,
} from '../fixtures/scripted-llm';
import { syntheticOracle } from '../fixtures/scripted-llm/synthetic';

describe('the seed behind the gateway, in the scripted world', () => {
  let layout: Layout;
  let world: ScriptedLlmWorld | undefined;
  let gateway: LlmGateway | undefined;

  beforeEach(() => {
    layout = makeLayout('scripted-seed-');
  });
  afterEach(async () => {
    await close();
    removeLayout(layout);
  });

  async function close(): Promise<void> {
    await gateway?.close();
    await world?.stop();
    gateway = undefined;
    world = undefined;
  }

  /** A fresh world whose meta model always takes `action`, and a gateway in front of it. */
  async function open(action: MetaAction): Promise<{ world: ScriptedLlmWorld; socket: string }> {
    await close();
    world = await startScriptedLlmWorld({ oracle: syntheticOracle, meta: { weights: onlyAction(action) } });
    const { baseUrl, apiKey, metaModel, taskModel } = world.llmConfig();
    gateway = new LlmGateway({
      socketPath: path.join(layout.root, 'llm.sock'),
      upstream: { baseUrl, apiKey, models: { meta: metaModel, task: taskModel }, timeoutMs: 10_000 },
      callLog: new InMemoryCallLog(),
    });
    return { world, socket: (await gateway.start()).socketPath };
  }

  const improve = (socket: string) =>
    runScript(
      layout,
      'run_meta.mjs',
      { history: [], generationsLeft: 3, seed: 1, domains: ['paper-review'], limits: { maxTurns: 10 } },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );

  const solve = (socket: string) =>
    runScript(
      layout,
      'run_tasks.mjs',
      {
        domain: 'paper-review',
        describe: '',
        perTaskTimeoutMs: 20_000,
        tasks: [
          { id: 't7', input: { title: 'Synthetic study 7', abstract: 'We study synthetic problem 7.' } },
        ],
      },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );

  it('a hint added by the meta agent raises the skill on the task agent’s next prompts', async () => {
    const before = await open('add-useful-hint');
    expect((await solve(before.socket)).lines[0]).toMatchObject({ trace: { path: 'llm' } });
    expect(before.world.recent(1)[0]).toMatchObject({ role: 'task', domain: 'paper-review', hints: [] });
    expect(before.world.recent(1)[0]?.skill).toBeCloseTo(0.55);

    const meta = await improve(before.socket);
    expect(meta.lines[0]).toMatchObject({ strategy: 'llm', turns: 4 });

    const after = await open('no-edit');
    const tasks = await solve(after.socket);
    expect(tasks.lines[0]).toMatchObject({ id: 't7', trace: { path: 'llm' } });
    const [call] = after.world.recent(1);
    expect(call?.hints).toHaveLength(1);
    expect(call?.hints?.[0]).toMatch(/^HINT:paper-review:/);
    expect(call?.skill).toBeGreaterThan(0.55);
  });

  it('a META-SKILL marker the meta agent adds to its own prompt is in its next session’s system message', async () => {
    const first = await open('meta-skill');
    expect((await improve(first.socket)).lines[0]).toMatchObject({ strategy: 'llm' });
    expect(first.world.recent().every((r) => r.role === 'meta' && r.metaSkill === 0)).toBe(true);

    const second = await open('no-edit');
    expect((await improve(second.socket)).lines[0]).toMatchObject({ strategy: 'llm', turns: 2 });
    expect(second.world.recent().map((r) => r.metaSkill)).toEqual([1, 1]);
  });
});
