import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InMemoryCallLog, LlmGateway } from '../../src/llm';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';
import { type Layout, makeLayout, removeLayout, runScript } from './harness';

interface ChatMessage {
  role: string;
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string } }[];
}
interface ChatBody {
  model: string;
  messages: ChatMessage[];
  tools?: { function: { name: string } }[];
}

const META_MARKER = "export const OFFLINE_LABEL = 'offline evolutionary mutation (no LLM)';";

/** The real gateway on a Unix socket, in front of the OpenAI stub, as the worker sets it up for a sandbox. */
describe('the seed with an LLM behind the gateway', () => {
  let dir: string;
  let stub: OpenAIStub;
  let gateway: LlmGateway;
  let socket: string;
  let layout: Layout;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-llm-'));
    stub = await startOpenAIStub();
    gateway = new LlmGateway({
      socketPath: path.join(dir, 'llm.sock'),
      upstream: {
        baseUrl: stub.baseURL,
        apiKey: 'sk-seed-test',
        models: { meta: 'mm', task: 'tm' },
        timeoutMs: 5000,
      },
      callLog: new InMemoryCallLog(),
    });
    socket = (await gateway.start()).socketPath;
    layout = makeLayout();
  });
  afterEach(async () => {
    await gateway.close();
    await stub.close();
    fs.rmSync(dir, { recursive: true, force: true });
    removeLayout(layout);
  });

  it('the meta agent runs a tool loop that edits meta_agent.mjs and task_agent.mjs, then stops on a final message', async () => {
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
              new_str: `// Tuned by the LLM meta agent.\n${META_MARKER}`,
            },
          },
          {
            id: 'edit-task',
            name: 'bash',
            arguments: { command: "printf '// tuned by the LLM\\n' >> task_agent.mjs" },
          },
        ],
      },
      {
        kind: 'toolCalls',
        toolCalls: [
          { id: 'peek', name: 'editor', arguments: { command: 'view', path: '../harness/run_meta.mjs' } },
        ],
      },
      { kind: 'text', content: 'Marked both agents.' },
    );
    const out = await runScript(
      layout,
      'run_meta.mjs',
      {
        history: [],
        generationsLeft: 2,
        seed: 3,
        domains: ['paper-review'],
        limits: { maxTurns: 10, timeLimitMs: 60_000 },
      },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );
    expect(out.code).toBe(0);
    expect(out.lines).toEqual([
      {
        strategy: 'llm',
        summary: 'LLM tool-using session (finished, 3 turn(s), 3 tool call(s)): Marked both agents.',
        turns: 3,
      },
    ]);
    const meta = fs.readFileSync(path.join(layout.programDir, 'meta_agent.mjs'), 'utf8');
    expect(meta).toContain(`// Tuned by the LLM meta agent.\n${META_MARKER}`);
    expect(fs.readFileSync(path.join(layout.programDir, 'task_agent.mjs'), 'utf8')).toMatch(
      /\n\/\/ tuned by the LLM\n$/,
    );
    const notes = fs.readFileSync(path.join(layout.programDir, 'memory', 'notes.md'), 'utf8');
    expect(notes).toContain('## Generation note: LLM tool-using session');
    expect(notes).not.toContain('offline evolutionary mutation (no LLM)\n');

    // What the model saw: the tools, then each tool's result answered under its call id.
    const bodies = stub.chatRequests.map((r) => r.body as ChatBody);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]?.model).toBe('mm');
    expect(bodies[0]?.tools?.map((t) => t.function.name)).toEqual(['bash', 'editor']);
    const toolReplies = (bodies[2]?.messages ?? []).filter((m) => m.role === 'tool');
    expect(toolReplies.map((m) => m.tool_call_id)).toEqual(['edit-meta', 'edit-task', 'peek']);
    expect(toolReplies[0]?.content).toBe('replaced 1 occurrence in meta_agent.mjs');
    expect(toolReplies[1]?.content).toBe('exit code 0\n--- stdout\n\n--- stderr\n');
    expect(toolReplies[2]?.content).toBe(
      'error: refused: "../harness/run_meta.mjs" is outside the program folder',
    );

    // The edited program still loads and runs.
    const verdict = await runScript(layout, 'run_validate.mjs', {
      domain: 'paper-review',
      describe: '',
      task: { id: 'p', input: { title: 't', abstract: 'a' } },
    });
    expect(verdict.lines[0]).toMatchObject({ ok: true });
  });

  it('the task agent asks the LLM and parses its reply, falling back offline on an unusable one', async () => {
    stub.enqueue(
      { kind: 'text', content: 'Strong results.\nDecision: accept' },
      { kind: 'text', content: 'I cannot decide.' },
      { kind: 'text', content: 'Some steps are missing. Grade: partial' },
    );
    const paper = await runScript(
      layout,
      'run_tasks.mjs',
      {
        domain: 'paper-review',
        describe: '',
        perTaskTimeoutMs: 20_000,
        tasks: [
          { id: 'p1', input: { title: 'A', abstract: 'A preliminary toy study that might help.' } },
          { id: 'p2', input: { title: 'B', abstract: 'A preliminary toy study that might help.' } },
        ],
      },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );
    expect(paper.lines[0]).toMatchObject({
      id: 'p1',
      prediction: 'accept',
      trace: { path: 'llm', prompt: 'balanced' },
    });
    expect(paper.lines[1]).toMatchObject({
      id: 'p2',
      prediction: 'reject',
      trace: { path: 'offline', llmProblem: 'reply not usable: "I cannot decide."' },
    });
    const grading = await runScript(
      layout,
      'run_tasks.mjs',
      {
        domain: 'math-grading',
        describe: '',
        perTaskTimeoutMs: 20_000,
        tasks: [
          { id: 'g', input: { problem: 'p', referenceSolution: 'r', gradingGuidelines: 'g', response: 'x' } },
        ],
      },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );
    expect(grading.lines[0]).toMatchObject({ id: 'g', prediction: 'partial', trace: { path: 'llm' } });
    const first = stub.chatRequests[0]?.body as ChatBody;
    expect(first.model).toBe('tm');
    expect(first.messages[1]?.content).toContain('Decision: accept" or "Decision: reject"');
  });

  it('falls back to offline evolution, and says why, when the first LLM call fails', async () => {
    stub.enqueue({ kind: 'error', status: 400, message: 'bad request from the stub' });
    const out = await runScript(
      layout,
      'run_meta.mjs',
      { history: [], generationsLeft: 1, seed: 5, domains: ['coding'], limits: {} },
      { HYPERAGENTS_LLM_SOCKET: socket },
    );
    expect(out.code).toBe(0);
    const answer = out.lines[0] as { strategy: string; summary: string };
    expect(answer.strategy).toBe('offline');
    expect(answer.summary).toMatch(
      /^the LLM was unreachable \(.*\); offline evolutionary mutation \(no LLM\): /,
    );
    expect(stub.chatRequests).toHaveLength(1);
  });

  it('without an endpoint behind the gateway the meta agent evolves offline', async () => {
    const bare = new LlmGateway({ socketPath: path.join(dir, 'bare.sock'), callLog: new InMemoryCallLog() });
    const bareSocket = (await bare.start()).socketPath;
    try {
      const out = await runScript(
        layout,
        'run_meta.mjs',
        { history: [], generationsLeft: 1, seed: 5, domains: ['coding'], limits: {} },
        { HYPERAGENTS_LLM_SOCKET: bareSocket },
      );
      expect(out.lines[0]).toMatchObject({ strategy: 'offline', turns: 0 });
      expect(stub.chatRequests).toHaveLength(0);
    } finally {
      await bare.close();
    }
  });
});
