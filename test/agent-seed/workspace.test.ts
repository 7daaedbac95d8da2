import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { workspaceFiles, type TrainExamples } from '../../src/agent/workspace';
import { nodeIdFor, trainHistoryOf, type TrainHistory } from '../../src/archive';
import { InMemoryCallLog, LlmGateway } from '../../src/llm';
import { full, makeNode } from '../archive/fixtures';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';
import { type Layout, makeLayout, removeLayout, runScript, SEED_DIR } from './harness';

/**
 * The meta agent's workspace as the seed uses it: the prompt's trimming of the archive summary, the
 * run script over train examples, and the prompt of a whole LLM session naming the workspace.
 */

const SEED_WORKSPACE = pathToFileURL(path.join(SEED_DIR, 'meta', 'workspace.mjs')).href;

/** The seed's summaryForPrompt over `summary` (run by node: the seed is plain ES modules). */
function promptSummary(summary: TrainHistory, tokenBudget: number): string {
  const script = `import { summaryForPrompt } from ${JSON.stringify(SEED_WORKSPACE)};
let s = ''; for await (const c of process.stdin) s += c;
process.stdout.write(summaryForPrompt(JSON.parse(s), ${tokenBudget}));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(summary),
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return res.stdout;
}

test("a 120-node archive's newest nodes and the parent's lineage survive the prompt budget", () => {
  const runId = 'run-ws';
  // A binary tree: gen-g's parent is gen-floor((g-1)/2), so gen-119's lineage is 0, 2, 6, 14, 29, 59, 119.
  const nodes = Array.from({ length: 120 }, (_, g) =>
    makeNode(runId, g, g === 0 ? null : Math.floor((g - 1) / 2), { alpha: { train: full(g / 200) } }),
  );
  const summary = trainHistoryOf(nodes, 'gen-00119', ['alpha']);
  const params = JSON.parse(fs.readFileSync(path.join(SEED_DIR, 'meta', 'params.json'), 'utf8')) as {
    llm: { summaryTokenBudget: number };
  };
  const text = promptSummary(summary, params.llm.summaryTokenBudget);
  const shown = [...text.matchAll(/"id":"(gen-\d+)"/g)].map((m) => m[1]);

  expect(text).toMatch(/older node\(s\) left out/); // the budget did bite
  expect(shown.length).toBeLessThan(120);
  expect(shown.slice(0, 7)).toEqual([119, 59, 29, 14, 6, 2, 0].map(nodeIdFor));
  // Then the newest of the rest, in order, with nothing older before anything newer.
  expect(shown.slice(7, 10)).toEqual([118, 117, 116].map(nodeIdFor));
  expect(shown).not.toContain('gen-00033');
  expect(text.length / 4).toBeLessThanOrEqual(params.llm.summaryTokenBudget + 20);
});

const paperExamples: TrainExamples = {
  domain: 'paper-review',
  describe: 'Return "accept" or "reject".',
  split: 'train',
  node: 'gen-00003',
  comparison: 'exact',
  examples: [
    {
      id: 'p-wrong',
      input: { title: 'A study', abstract: 'We propose a method and evaluate it.' },
      prediction: 'accept',
      label: 'reject',
      expected: 'reject',
      score: 0,
      details: { valid: true, prediction: 'accept' },
      answer: 'offline',
      trace: { path: 'offline', reason: 'PARENT-TRACE-MARKER' },
    },
    {
      id: 'p-right',
      input: { title: 'Another study', abstract: 'Strong results on many benchmarks.' },
      prediction: 'accept',
      label: 'accept',
      expected: 'accept',
      score: 1,
      answer: 'offline',
    },
  ],
};
const toyExamples: TrainExamples = {
  domain: 'toy',
  describe: 'Return any JSON value.',
  split: 'train',
  node: 'gen-00003',
  comparison: null,
  examples: [{ id: 't1', input: { text: 'hello' }, prediction: 1, label: 2, score: 0.5 }],
};

/** The seed in a temp folder (beside a harness) with the engine's workspace written into it. */
function seedWithWorkspace(): Layout {
  const layout = makeLayout('workspace-');
  const summary: TrainHistory = {
    nodeId: 'gen-00003',
    domains: ['paper-review'],
    lineage: ['gen-00003'],
    nodes: [],
  };
  for (const [p, content] of Object.entries(workspaceFiles(summary, [paperExamples, toyExamples]))) {
    fs.mkdirSync(path.dirname(path.join(layout.programDir, p)), { recursive: true });
    fs.writeFileSync(path.join(layout.programDir, p), content);
  }
  return layout;
}

function runTrain(layout: Layout, args: string[]) {
  const res = spawnSync(process.execPath, ['workspace/run_train.mjs', ...args], {
    cwd: layout.programDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    ...res,
    lines: res.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('workspace/run_train.mjs runs the current task agent on the train examples', () => {
  let layout: Layout;
  beforeEach(() => (layout = seedWithWorkspace()));
  afterEach(() => removeLayout(layout));

  test('where scoring is a plain comparison it prints predictions and whether each is right', () => {
    const res = runTrain(layout, ['--domain', 'paper-review']);
    expect(res.status).toBe(0);
    const [a, b, summary] = res.lines;
    for (const [line, e] of [
      [a, paperExamples.examples[0]!],
      [b, paperExamples.examples[1]!],
    ] as const) {
      expect(line).toMatchObject({
        domain: 'paper-review',
        id: e.id,
        expected: e.expected,
        parentScore: e.score,
      });
      expect(['accept', 'reject']).toContain(line!.prediction);
      expect(line!.correct).toBe(line!.prediction === e.expected);
    }
    const correct = [a, b].filter((l) => l!.correct).length;
    expect(summary).toEqual({ domain: 'paper-review', summary: true, tasks: 2, correct, parentCorrect: 1 });
  });

  test('--failed and --limit choose the examples; an edit of the task agent shows at once', () => {
    fs.writeFileSync(
      path.join(layout.programDir, 'task_agent.mjs'),
      "export async function solve() { return { prediction: ' Reject ', trace: {} }; }\n",
    );
    const res = runTrain(layout, ['--domain', 'paper-review', '--failed', '--limit', '1']);
    expect(res.status).toBe(0);
    expect(res.lines[0]).toMatchObject({ id: 'p-wrong', prediction: ' Reject ', correct: true });
    expect(res.lines[1]).toMatchObject({ summary: true, tasks: 1, correct: 1 });
  });

  test('elsewhere it prints predictions only; a bad argument fails with the usage', () => {
    const res = runTrain(layout, ['--domain', 'toy']);
    expect(res.status).toBe(0);
    expect(res.lines[0]).toHaveProperty('prediction');
    expect(res.lines[0]).not.toHaveProperty('correct');
    expect(res.lines[1]).toMatchObject({
      summary: true,
      note: expect.stringMatching(/predictions only/) as unknown,
    });
    const bad = runTrain(layout, ['--bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/usage: node workspace\/run_train.mjs/);
  });
});

describe('the LLM strategy is given the workspace', () => {
  let dir: string;
  let stub: OpenAIStub;
  let gateway: LlmGateway;
  let layout: Layout;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-llm-'));
    layout = seedWithWorkspace();
  });
  afterEach(async () => {
    await gateway.close();
    await stub.close();
    fs.rmSync(dir, { recursive: true, force: true });
    removeLayout(layout);
  });

  test('its prompt names the workspace files and shows a failed train example; its bash runs the task agent with the model', async () => {
    stub = await startOpenAIStub();
    gateway = new LlmGateway({
      socketPath: path.join(dir, 'llm.sock'),
      upstream: { baseUrl: stub.baseURL, apiKey: 'k', models: { meta: 'mm', task: 'tm' }, timeoutMs: 5000 },
      callLog: new InMemoryCallLog(),
    });
    const socket = (await gateway.start()).socketPath;
    stub.enqueue(
      {
        kind: 'toolCalls',
        toolCalls: [
          {
            id: 'try',
            name: 'bash',
            arguments: { command: 'node workspace/run_train.mjs --domain paper-review --failed --limit 1' },
          },
        ],
      },
      { kind: 'text', content: 'Weak evidence.\nDecision: reject' }, // the task agent's call
      { kind: 'text', content: 'Tried the task agent.' },
    );
    const out = await runScript(
      layout,
      'run_meta.mjs',
      {
        history: { nodeId: 'gen-00003', domains: ['paper-review'], lineage: ['gen-00003'], nodes: [] },
        generationsLeft: 2,
        seed: 1,
        domains: ['paper-review'],
        limits: { maxTurns: 5, timeLimitMs: 60_000 },
      },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );
    expect(out.code).toBe(0);
    const bodies = stub.chatRequests.map(
      (r) => r.body as { model: string; messages: { role: string; content: string | null }[] },
    );
    expect(bodies.map((b) => b.model)).toEqual(['mm', 'tm', 'mm']);
    const prompt = bodies[0]!.messages.map((m) => m.content ?? '').join('\n');
    for (const f of [
      'workspace/archive.json',
      'workspace/examples/paper-review.json',
      'workspace/run_train.mjs',
    ])
      expect(prompt).toContain(f);
    expect(prompt).toContain('p-wrong');
    expect(prompt).toContain('PARENT-TRACE-MARKER');
    expect(prompt).not.toContain('p-right'); // it scored 1: not a failure
    const toolReply = bodies[2]!.messages.find((m) => m.role === 'tool')!.content!;
    expect(toolReply).toContain('"id":"p-wrong","prediction":"reject","expected":"reject","correct":true');
  });
});
