import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { InMemoryCallLog, LlmGateway } from '../../src/llm';
import { startOpenAIStub } from '../fixtures/openai-stub';
import { dgmMetaAgent } from '../../src/agent/layout';
import { type Layout, makeLayout, removeLayout, runScript } from './harness';

/**
 * DGM's meta agent (src/agent/dgm) run by the real harness on a copy of the seed whose meta agent it
 * replaces, as a `dgm` run's start node has it: which failed train task it chooses, and what it asks an LLM.
 */

/** The seed with DGM's meta agent, and a workspace holding these examples per domain. */
async function dgmLayout(
  examples: Record<string, Array<{ id: string; score?: number; error?: string }>>,
): Promise<Layout> {
  const layout = makeLayout('dgm-meta-');
  const program = layout.programDir;
  fs.rmSync(path.join(program, 'meta'), { recursive: true });
  for (const [p, text] of Object.entries(await dgmMetaAgent())) {
    fs.mkdirSync(path.dirname(path.join(program, p)), { recursive: true });
    fs.writeFileSync(path.join(program, p), text);
  }
  const files: Record<string, string> = {};
  fs.mkdirSync(path.join(program, 'workspace', 'examples'), { recursive: true });
  for (const [domain, list] of Object.entries(examples)) {
    files[domain] = `workspace/examples/${domain}.json`;
    const set = {
      domain,
      examples: list.map((e) => ({
        ...e,
        input: { text: `input of ${e.id}` },
        prediction: 'x',
        label: 'y',
        trace: { path: 'offline' },
      })),
    };
    fs.writeFileSync(path.join(program, files[domain]), JSON.stringify(set));
  }
  fs.writeFileSync(path.join(program, 'workspace', 'index.json'), JSON.stringify({ examples: files }));
  return layout;
}

/** Every file of the program folder with its content. */
function snapshot(dir: string): Record<string, string> {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) =>
    fs.statSync(path.join(dir, p)).isFile(),
  );
  return Object.fromEntries(files.map((p) => [p, fs.readFileSync(path.join(dir, p), 'utf8')]));
}

async function chosen(layout: Layout, seed: number): Promise<string> {
  const out = await runScript(layout, 'run_meta.mjs', { seed, domains: ['paper-review', 'math-grading'] });
  expect(out.lines[0]).toMatchObject({ strategy: 'offline', turns: 0 });
  const summary = (out.lines[0] as { summary: string }).summary;
  return /failed train task: (\S+ \S+)/.exec(summary)?.[1] ?? `none in: ${summary}`;
}

describe("DGM's meta agent chooses one failed train task", () => {
  const examples = {
    'paper-review': [
      { id: 'p-solved', score: 1 },
      { id: 'p-failed', score: 0 },
      // Never answered by the parent (it stopped at the staged sample): nothing to diagnose.
      { id: 'p-unanswered' },
    ],
    'math-grading': [
      { id: 'm-partial', score: 0.5 },
      { id: 'm-solved', score: 1 },
      { id: 'm-error', score: 0, error: 'timed out' },
    ],
  };

  test('only failed ones, over every domain, and the same one for the same seed', async () => {
    const picks = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const layout = await dgmLayout(examples);
      const again = await dgmLayout(examples);
      try {
        const pick = await chosen(layout, seed);
        expect(await chosen(again, seed)).toBe(pick);
        picks.add(pick);
      } finally {
        removeLayout(layout);
        removeLayout(again);
      }
    }
    expect([...picks].sort()).toEqual([
      'math-grading m-error',
      'math-grading m-partial',
      'paper-review p-failed',
    ]);
  }, 60_000);

  test('none failed: it says so and edits nothing', async () => {
    const layout = await dgmLayout({
      'paper-review': [{ id: 'p1', score: 1 }],
      'math-grading': [{ id: 'm1', score: 1 }],
    });
    try {
      const before = snapshot(layout.programDir);
      const out = await runScript(layout, 'run_meta.mjs', { seed: 3, domains: ['paper-review'] });
      expect(out.lines).toEqual([
        {
          strategy: 'offline',
          summary: 'no failed train task among 2 example(s): nothing to diagnose, no edit',
          turns: 0,
        },
      ]);
      expect(snapshot(layout.programDir)).toEqual(before);
    } finally {
      removeLayout(layout);
    }
  });
});

test('with an LLM it runs one tool-using session prompted with the three steps and the failed task', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dgm-llm-'));
  const stub = await startOpenAIStub();
  const gateway = new LlmGateway({
    socketPath: path.join(dir, 'llm.sock'),
    upstream: {
      baseUrl: stub.baseURL,
      apiKey: 'sk-dgm-test',
      models: { meta: 'mm', task: 'tm' },
      timeoutMs: 5000,
    },
    callLog: new InMemoryCallLog(),
  });
  const layout = await dgmLayout({
    'paper-review': [
      { id: 'p-solved', score: 1 },
      { id: 'p-failed', score: 0 },
    ],
  });
  try {
    const socket = (await gateway.start()).socketPath;
    stub.enqueue(
      {
        kind: 'toolCalls',
        toolCalls: [
          { id: 'fix', name: 'bash', arguments: { command: "printf '// fixed\\n' >> task_agent.mjs" } },
        ],
      },
      { kind: 'text', content: 'Diagnosed, proposed, fixed.' },
    );
    const out = await runScript(
      layout,
      'run_meta.mjs',
      { seed: 1, domains: ['paper-review'], limits: { maxTurns: 10, timeLimitMs: 60_000 } },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );
    expect(out.lines).toEqual([
      {
        strategy: 'llm',
        summary:
          'DGM session on paper-review p-failed (finished, 2 turn(s), 1 tool call(s)): Diagnosed, proposed, fixed.',
        turns: 2,
      },
    ]);
    const opening = (stub.chatRequests[0]!.body as { messages: Array<{ role: string; content: string }> })
      .messages;
    const user = opening.find((m) => m.role === 'user')!.content;
    expect(user).toContain('input: {"text":"input of p-failed"}');
    expect(user).not.toContain('p-solved');
    expect(user).toMatch(/1\. Diagnose why[\s\S]*2\. Propose one improvement[\s\S]*3\. Implement it/);
    expect(fs.readFileSync(path.join(layout.programDir, 'task_agent.mjs'), 'utf8')).toMatch(/\/\/ fixed\n$/);
  } finally {
    await gateway.close();
    await stub.close();
    removeLayout(layout);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
