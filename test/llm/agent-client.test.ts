import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { promisify } from 'util';
import { AGENT_CLIENT_PATH, BudgetLedger, InMemoryCallLog, LlmGateway } from '../../src/llm';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';

const run = promisify(execFile);

/**
 * The agent client runs in a separate Node process, as it does in the sandbox (asynchronously:
 * the gateway answers from this process's event loop). The child's environment holds only the
 * socket path, like the sandbox's.
 */
async function runAgent(script: string, socketPath?: string): Promise<unknown> {
  const source = `import * as llm from ${JSON.stringify(pathToFileURL(AGENT_CLIENT_PATH).href)};\n${script}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (socketPath) env.HYPERAGENTS_LLM_SOCKET = socketPath;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { env });
  return JSON.parse(stdout);
}

/** Prints the outcome of an async expression as JSON: the value, or the error's fields. */
const report = (expr: string) =>
  `try { console.log(JSON.stringify({ ok: await ${expr} })); } ` +
  `catch (e) { console.log(JSON.stringify({ error: { name: e.name, message: e.message, status: e.status, type: e.type } })); }`;

describe('agent-client.mjs against the gateway', () => {
  let dir: string;
  let stub: OpenAIStub;
  let gateway: LlmGateway;
  let socketPath: string;
  const log = new InMemoryCallLog();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-client-'));
    stub = await startOpenAIStub();
    gateway = new LlmGateway({
      socketPath: path.join(dir, 'llm.sock'),
      upstream: {
        baseUrl: stub.baseURL,
        apiKey: 'sk-client-test-secret',
        models: { meta: 'mm', task: 'tm' },
      },
      budget: new BudgetLedger({ tokens: 100 }),
      callLog: log,
    });
    socketPath = (await gateway.start()).socketPath;
  });
  afterEach(async () => {
    await gateway.close();
    await stub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('chats with tools through the socket and gets the parsed completion', async () => {
    stub.enqueue({ kind: 'toolCalls', toolCalls: [{ name: 'bash', arguments: { cmd: 'ls' }, id: 'c1' }] });
    const out = await runAgent(
      report(
        `llm.chat({ role: 'meta', messages: [{ role: 'user', content: 'look around' }], ` +
          `tools: [{ type: 'function', function: { name: 'bash' } }], params: { max_tokens: 20 } })`,
      ),
      socketPath,
    );
    expect(out).toMatchObject({
      ok: {
        choices: [
          {
            message: { tool_calls: [{ id: 'c1', function: { name: 'bash', arguments: '{"cmd":"ls"}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      },
    });
    expect(stub.chatRequests[0]?.body).toEqual({
      model: 'mm',
      messages: [{ role: 'user', content: 'look around' }],
      tools: [{ type: 'function', function: { name: 'bash' } }],
      max_tokens: 20,
      stream: false,
    });
  });

  it("throws the gateway's message when the budget refuses the call", async () => {
    // 10 prompt tokens estimated + 4096 default completion tokens > the 100-token budget.
    const out = await runAgent(
      report(`llm.chat({ role: 'task', messages: [{ role: 'user', content: 'hi' }] })`),
      socketPath,
    );
    expect(out).toEqual({
      error: {
        name: 'LlmError',
        status: 402,
        type: 'budget_exceeded',
        message:
          'run token budget exceeded: limit 100 tokens, spent 0 tokens, in flight 0 tokens, this call needs up to 4106 tokens',
      },
    });
    expect(stub.requests).toHaveLength(0);
  });

  it('lists models, and fails clearly without a socket or with a dead one', async () => {
    const models = await runAgent(report('llm.listModels()'), socketPath);
    expect(models).toMatchObject({ ok: { data: [{ id: 'meta' }, { id: 'task' }] } });
    expect(await runAgent(report('llm.isAvailable()'), socketPath)).toEqual({ ok: true });

    const unset = await runAgent(report(`llm.chat({ role: 'task', messages: [] })`));
    expect(unset).toEqual({
      error: {
        name: 'LlmError',
        status: 0,
        message: 'no LLM gateway: the HYPERAGENTS_LLM_SOCKET environment variable is not set',
      },
    });
    const missing = path.join(dir, 'nobody-here.sock');
    const dead = (await runAgent(report(`llm.chat({ role: 'task', messages: [] })`), missing)) as {
      error: { message: string };
    };
    expect(dead.error.message).toMatch(new RegExp(`^cannot reach the LLM gateway at ${missing}: .*ENOENT`));
    expect(await runAgent(report('llm.isAvailable()'), missing)).toEqual({ ok: false });
  });
});
