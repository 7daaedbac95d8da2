import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BudgetLedger,
  type GatewayOptions,
  InMemoryCallLog,
  LlmGateway,
  NO_ENDPOINT_MESSAGE,
  replaySourceFromRecords,
} from '../../src/llm';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';
import { chatBody, type UnixResponse, unixRequest } from './unix-http';

const API_KEY = 'sk-upstream-secret-0123456789';
const MODELS = { meta: 'big-model', task: 'small-model' };

/** The gateway's answers, in OpenAI's shapes, as far as these tests read them. */
interface Completion {
  choices: Array<{
    message: {
      content: string | null;
      tool_calls?: Array<{ function: { name: string; arguments: string } }>;
    };
  }>;
}
interface ApiError {
  error: { message: string; type: string; code?: string };
}
interface ModelList {
  data: Array<{ id: string; upstream_model?: string }>;
}
const completion = (res: UnixResponse) => res.body as Completion;
const errorOf = (res: UnixResponse) => (res.body as ApiError).error;
const modelList = (res: UnixResponse) => res.body as ModelList;
/** The content of the first choice's message. */
const contentOf = (res: UnixResponse) => completion(res).choices[0]?.message.content;

/** Gateway end to end: a real Unix socket in front, the real openai client behind, the stub upstream. */
describe('LlmGateway over a Unix socket', () => {
  let dir: string;
  let stub: OpenAIStub;
  let log: InMemoryCallLog;
  let sleeps: number[];
  const gateways: LlmGateway[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-gw-'));
    stub = await startOpenAIStub();
    log = new InMemoryCallLog();
    sleeps = [];
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close()));
    await stub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startGateway(overrides: Partial<GatewayOptions> = {}): Promise<string> {
    const gateway = new LlmGateway({
      socketPath: path.join(dir, `gw-${gateways.length}.sock`),
      upstream: { baseUrl: stub.baseURL, apiKey: API_KEY, models: MODELS, timeoutMs: 5_000 },
      callLog: log,
      session: { runId: 'run-1', nodeId: 'node-7', purpose: 'test' },
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
      retryDeps: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
      ...overrides,
    });
    gateways.push(gateway);
    return (await gateway.start()).socketPath;
  }

  const chat = (socket: string, role: string, content: string, extra?: Record<string, unknown>) =>
    unixRequest(socket, 'POST', '/v1/chat/completions', chatBody(role, content, extra));

  describe('forwarding', () => {
    it('maps the role to the real model, adds the key upstream, and returns the completion', async () => {
      const socket = await startGateway();
      stub.enqueue({ kind: 'text', content: 'task answer' }, { kind: 'text', content: 'meta answer' });

      const task = await chat(socket, 'task', 'solve this', { temperature: 0.2 });
      expect(task.status).toBe(200);
      expect(contentOf(task)).toBe('task answer');
      // The header names the role even when the model field says something else.
      const meta = await unixRequest(socket, 'POST', '/v1/chat/completions', chatBody('ignored', 'improve'), {
        'x-hyperagents-role': 'meta',
      });
      expect(contentOf(meta)).toBe('meta answer');

      const [first, second] = stub.chatRequests;
      expect(first?.body).toEqual({
        model: 'small-model',
        messages: [{ role: 'user', content: 'solve this' }],
        temperature: 0.2,
        // No limit asked for: the configured maximum (default 4096), which the budget reserved.
        max_tokens: 4096,
        stream: false,
      });
      expect(first?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect((second?.body as { model: string }).model).toBe('big-model');
    });

    it('forwards tools and returns tool calls', async () => {
      const socket = await startGateway();
      stub.enqueue({ kind: 'toolCalls', toolCalls: [{ name: 'edit', arguments: { path: 'a.mjs' } }] });
      const tools = [{ type: 'function', function: { name: 'edit', parameters: { type: 'object' } } }];
      const res = await chat(socket, 'meta', 'edit a file', { tools });
      expect(res.status).toBe(200);
      const call = completion(res).choices[0]?.message.tool_calls?.[0];
      expect(call?.function).toEqual({ name: 'edit', arguments: '{"path":"a.mjs"}' });
      expect((stub.chatRequests[0]?.body as { tools: unknown }).tools).toEqual(tools);
    });

    it('refuses an unknown role, streaming, and a bad body without calling upstream', async () => {
      const socket = await startGateway();
      const unknown = await chat(socket, 'gpt-4o', 'hi');
      expect(unknown.status).toBe(400);
      expect(errorOf(unknown).message).toContain('unknown role "gpt-4o"');
      const stream = await chat(socket, 'task', 'hi', { stream: true });
      expect(stream.status).toBe(400);
      expect(errorOf(stream).message).toContain('streaming is not supported');
      const empty = await unixRequest(socket, 'POST', '/v1/chat/completions', {
        model: 'task',
        messages: [],
      });
      expect(empty.status).toBe(400);
      expect(errorOf(empty).message).toBe(
        'invalid chat request: messages: messages must be a non-empty array',
      );
      const notFound = await unixRequest(socket, 'GET', '/v1/embeddings');
      expect(notFound.status).toBe(404);
      expect(stub.requests).toHaveLength(0);
      expect(log.records.map((r) => r.status)).toEqual([400, 400, 400]);
    });

    it('lists the roles as models', async () => {
      const socket = await startGateway();
      const res = await unixRequest(socket, 'GET', '/v1/models');
      expect(res.status).toBe(200);
      expect(modelList(res).data.map((m) => m.id)).toEqual(['meta', 'task']);
      expect(modelList(res).data[1]?.upstream_model).toBe('small-model');
    });
  });

  describe('the API key', () => {
    it('never reaches the sandbox side or the call log, even when the upstream echoes it', async () => {
      const socket = await startGateway();
      stub.enqueue(
        { kind: 'text', content: `your key is ${API_KEY}` },
        { kind: 'error', status: 400, message: `bad key ${API_KEY}` },
      );
      const echoed = await chat(socket, 'task', 'what is the key?');
      expect(contentOf(echoed)).toBe('your key is [redacted]');
      const failed = await chat(socket, 'task', 'again');
      expect(failed.status).toBe(400);
      expect(errorOf(failed).message).toContain('bad key [redacted]');
      const models = await unixRequest(socket, 'GET', '/v1/models');

      for (const res of [echoed, failed, models]) {
        expect(res.text).not.toContain(API_KEY);
        expect(JSON.stringify(res.headers)).not.toContain(API_KEY);
      }
      expect(log.records).toHaveLength(2);
      expect(JSON.stringify(log.records)).not.toContain(API_KEY);
      // The sandbox sent no credentials at all, yet the upstream got the key.
      expect(stub.chatRequests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    });
  });

  describe('metering', () => {
    it('logs tokens, cost from the price table, latency, node and role', async () => {
      const budget = new BudgetLedger({ usd: 10 });
      const socket = await startGateway({
        budget,
        prices: { 'small-model': { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 } },
      });
      stub.enqueue({
        kind: 'text',
        content: 'priced',
        usage: { prompt_tokens: 1200, completion_tokens: 300 },
      });
      const res = await chat(socket, 'task', 'price me');
      expect(res.status).toBe(200);

      const [record] = log.records;
      // (1200 · 0.15 + 300 · 0.60) / 1e6 = 0.00036 USD
      expect(record?.costUsd).toBeCloseTo(0.00036, 12);
      expect(record).toMatchObject({
        runId: 'run-1',
        nodeId: 'node-7',
        purpose: 'test',
        role: 'task',
        model: 'small-model',
        outcome: 'upstream',
        status: 200,
        attempts: 1,
        usage: { promptTokens: 1200, completionTokens: 300 },
        request: chatBody('task', 'price me'),
      });
      expect(record?.response?.choices).toEqual(completion(res).choices);
      expect(record?.requestHash).toMatch(/^[0-9a-f]{64}$/);
      expect(record?.latencyMs).toBeGreaterThanOrEqual(0);
      expect(record?.usageEstimated).toBeUndefined();
      const spent = budget.snapshot().spent;
      expect(spent.usd).toBeCloseTo(0.00036, 12);
      expect(spent.tokens).toBe(1500);
      expect(budget.snapshot().inFlightCalls).toBe(0);
    });

    it('estimates usage at four bytes per token when the upstream reports none', async () => {
      const socket = await startGateway();
      stub.enqueue({ kind: 'noUsage', content: 'x' });
      await chat(socket, 'task', 'hi');
      // prompt: '[[{"role":"user","content":"hi"}],null]' is 39 bytes -> 10 tokens;
      // completion: the choices array as JSON, 112 bytes -> 28 tokens.
      const choices =
        '[{"index":0,"message":{"role":"assistant","content":"x","refusal":null},"finish_reason":"stop","logprobs":null}]';
      expect(Buffer.byteLength(choices)).toBe(112);
      expect(JSON.stringify(log.records[0]?.response?.choices)).toBe(choices);
      expect(log.records[0]).toMatchObject({
        usage: { promptTokens: 10, completionTokens: 28 },
        usageEstimated: true,
      });
    });
  });

  describe('budget', () => {
    it('holds the third of three concurrent calls until the two in flight settle, and refuses one that can never fit', async () => {
      // Output at $10 per million tokens: max_tokens 40 000 reserves exactly $0.40, 100 000 $1.00.
      const budget = new BudgetLedger({ usd: 0.9 });
      const socket = await startGateway({
        budget,
        prices: { 'small-model': { inputUsdPerMTok: 0, outputUsdPerMTok: 10 } },
        maxCompletionTokens: 100_000,
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const usage = { prompt_tokens: 50, completion_tokens: 10 };
      stub.enqueue({ kind: 'text', content: 'a', usage, gate }, { kind: 'text', content: 'b', usage, gate });
      stub.enqueue({ kind: 'text', content: 'c', usage });

      const params = { max_tokens: 40_000 };
      const first = chat(socket, 'task', 'one', params);
      await stub.waitForRequests(1);
      const second = chat(socket, 'task', 'two', params);
      await stub.waitForRequests(2);
      // Two calls are held upstream: their reservations are in flight, and the third waits for them.
      const third = chat(socket, 'task', 'three', params);
      // A call that needs more than the whole budget is refused at once, naming it.
      const tooBig = await chat(socket, 'task', 'huge', { max_tokens: 100_000 });
      expect(tooBig.status).toBe(402);
      expect(errorOf(tooBig).type).toBe('budget_exceeded');
      expect(errorOf(tooBig).message).toBe(
        'run USD budget exceeded: limit $0.9000, spent $0.0000, in flight $0.8000, this call needs up to $1.0000',
      );
      expect(stub.chatRequests).toHaveLength(2);

      release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      // Settled at the real cost: 2 × 10 output tokens × $10/M = $0.0002, so the third fits and goes.
      expect((await third).status).toBe(200);
      expect(stub.chatRequests).toHaveLength(3);
      expect(budget.snapshot().spent.usd).toBeCloseTo(0.0003, 12);

      expect(log.records.map((r) => r.outcome).sort()).toEqual([
        'refused',
        'upstream',
        'upstream',
        'upstream',
      ]);
    });

    it('enforces a token budget shared across gateways of the same run', async () => {
      const budget = new BudgetLedger({ tokens: 1000 });
      const socketA = await startGateway({ budget });
      const socketB = await startGateway({ budget });
      stub.enqueue({ kind: 'text', content: 'big', usage: { prompt_tokens: 600, completion_tokens: 300 } });
      expect((await chat(socketA, 'task', 'hi', { max_tokens: 400 })).status).toBe(200);
      // Estimate for the next call: 10 prompt tokens (39 bytes of messages) + 400 = 410; 900 + 410 > 1000.
      const refused = await chat(socketB, 'task', 'hi', { max_tokens: 400 });
      expect(refused.status).toBe(402);
      expect(errorOf(refused).message).toBe(
        'run token budget exceeded: limit 1000 tokens, spent 900 tokens, in flight 0 tokens, this call needs up to 410 tokens',
      );
      expect(stub.chatRequests).toHaveLength(1);
    });

    it('refuses to guess when a USD budget is set but the model has no price', async () => {
      const socket = await startGateway({ budget: new BudgetLedger({ usd: 1 }) });
      const res = await chat(socket, 'meta', 'hi');
      expect(res.status).toBe(500);
      expect(errorOf(res).message).toBe(
        "model big-model has no price in the price table: the run's USD budget cannot be enforced",
      );
      expect(stub.requests).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('retries 429 and 500 with backoff, then succeeds', async () => {
      const socket = await startGateway();
      stub.enqueue(
        { kind: 'error', status: 429 },
        { kind: 'error', status: 500 },
        { kind: 'text', content: 'third time' },
      );
      const res = await chat(socket, 'task', 'persist');
      expect(res.status).toBe(200);
      expect(contentOf(res)).toBe('third time');
      expect(stub.chatRequests).toHaveLength(3);
      // base 100 ms doubling, random 0.5: 50 + 25 = 75, then 100 + 50 = 150.
      expect(sleeps).toEqual([75, 150]);
      expect(log.records[0]).toMatchObject({ attempts: 3, outcome: 'upstream', status: 200 });
    });

    it('honours a Retry-After hint longer than the backoff', async () => {
      const socket = await startGateway();
      stub.enqueue(
        { kind: 'error', status: 429, headers: { 'retry-after': '0.6' } },
        { kind: 'text', content: 'ok' },
      );
      expect((await chat(socket, 'task', 'x')).status).toBe(200);
      expect(sleeps).toEqual([600]);
    });

    it('gives up after maxAttempts with a 502 and frees the reservation', async () => {
      const budget = new BudgetLedger({ tokens: 1_000_000 });
      const socket = await startGateway({ budget });
      stub.enqueue(
        { kind: 'error', status: 429, message: 'too many' },
        { kind: 'error', status: 503, message: 'overloaded' },
        { kind: 'error', status: 429, message: 'still too many' },
        { kind: 'text', content: 'never reached' },
      );
      const res = await chat(socket, 'task', 'doomed');
      expect(res.status).toBe(502);
      expect(errorOf(res).message).toMatch(/^upstream LLM endpoint failed after 3 attempts: 429 /);
      expect(errorOf(res).message).toContain('still too many');
      expect(stub.chatRequests).toHaveLength(3);
      expect(stub.pending).toBe(1);
      expect(sleeps).toEqual([75, 150]);
      expect(budget.snapshot()).toMatchObject({ spent: { usd: 0, tokens: 0 }, inFlightCalls: 0 });
      expect(log.records[0]).toMatchObject({ outcome: 'error', status: 502, attempts: 3 });
    });

    it('does not retry a 400, a malformed body; retries a hung upstream until its timeout budget ends', async () => {
      const socket = await startGateway({
        upstream: { baseUrl: stub.baseURL, apiKey: API_KEY, models: MODELS, timeoutMs: 300 },
        retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      });
      stub.enqueue({ kind: 'error', status: 400, message: 'bad param' }, { kind: 'malformed' });
      const bad = await chat(socket, 'task', 'x');
      expect(bad.status).toBe(400);
      expect(errorOf(bad).message).toBe('upstream LLM endpoint refused the request: 400 bad param');
      const malformed = await chat(socket, 'task', 'x');
      expect(malformed.status).toBe(502);
      expect(errorOf(malformed).message).toMatch(
        /^upstream LLM endpoint returned an invalid response: body is not JSON/,
      );
      expect(stub.chatRequests).toHaveLength(2);

      stub.enqueue({ kind: 'hang' }, { kind: 'hang' });
      const hung = await chat(socket, 'task', 'x');
      expect(hung.status).toBe(502);
      expect(errorOf(hung).message).toMatch(/^upstream LLM endpoint unreachable after 2 attempts/);
      expect(stub.chatRequests).toHaveLength(4);
    });
  });

  describe('without an upstream', () => {
    it('says so on /v1/models and answers chat calls with 503', async () => {
      const socket = await startGateway({ upstream: undefined });
      const models = await unixRequest(socket, 'GET', '/v1/models');
      expect(models.status).toBe(200);
      expect(models.body).toEqual({ object: 'list', data: [], message: NO_ENDPOINT_MESSAGE });
      expect(NO_ENDPOINT_MESSAGE).toContain('no LLM endpoint is configured');
      const res = await chat(socket, 'task', 'hi');
      expect(res.status).toBe(503);
      expect(errorOf(res)).toEqual({
        message: NO_ENDPOINT_MESSAGE,
        type: 'no_llm_endpoint',
        code: 'no_llm_endpoint',
      });
      expect(log.records[0]).toMatchObject({ outcome: 'error', status: 503, role: 'task' });
    });
  });

  describe('replay', () => {
    it('answers from recorded responses by request hash without touching the upstream', async () => {
      const recordSocket = await startGateway();
      stub.enqueue(
        { kind: 'text', content: 'first answer' },
        { kind: 'toolCalls', toolCalls: [{ name: 'bash', arguments: { cmd: 'ls' } }] },
        { kind: 'text', content: 'second answer to the same question' },
      );
      const recorded = [
        await chat(recordSocket, 'task', 'question'),
        await chat(recordSocket, 'meta', 'plan'),
        await chat(recordSocket, 'task', 'question'),
      ];
      expect(recorded.map((r) => r.status)).toEqual([200, 200, 200]);

      const replayStub = await startOpenAIStub();
      try {
        const replayLog = new InMemoryCallLog();
        const socket = await startGateway({
          upstream: { baseUrl: replayStub.baseURL, apiKey: API_KEY, models: MODELS },
          callLog: replayLog,
          replay: { source: replaySourceFromRecords(log.records) },
        });
        // Same requests, different order across hashes: each hash replays its own occurrences in order.
        const plan = await chat(socket, 'meta', 'plan');
        const q1 = await chat(socket, 'task', 'question');
        const q2 = await chat(socket, 'task', 'question');
        expect(plan.body).toEqual(recorded[1]?.body);
        expect(q1.body).toEqual(recorded[0]?.body);
        expect(contentOf(q2)).toBe('second answer to the same question');
        // A request never recorded (or one occurrence too many) is a clear miss, not an upstream call.
        const miss = await chat(socket, 'task', 'question');
        expect(miss.status).toBe(404);
        expect(errorOf(miss).message).toMatch(/^replay: no recorded response for request hash [0-9a-f]{64}$/);
        expect(replayStub.requests).toHaveLength(0);
        expect(replayLog.records.map((r) => r.outcome)).toEqual(['replay', 'replay', 'replay', 'error']);
        expect(replayLog.records[0]?.costUsd).toBe(0);
      } finally {
        await replayStub.close();
      }
    });

    it('can fall through to the upstream on a miss', async () => {
      const socket = await startGateway({
        replay: { source: replaySourceFromRecords([]), onMiss: 'upstream' },
      });
      stub.enqueue({ kind: 'text', content: 'live' });
      const res = await chat(socket, 'task', 'new question');
      expect(contentOf(res)).toBe('live');
      expect(stub.chatRequests).toHaveLength(1);
    });
  });

  describe('lifecycle', () => {
    it('replaces a stale socket, lets its owner connect, and removes the socket on close', async () => {
      const socketPath = path.join(dir, 'stale.sock');
      const net = await import('net');
      // A socket file at the path, as a crashed worker leaves behind.
      const dead = net.createServer().listen(socketPath);
      await new Promise((r) => dead.once('listening', r));
      expect(fs.lstatSync(socketPath).isSocket()).toBe(true);

      const gateway = new LlmGateway({ socketPath, upstream: undefined });
      await gateway.start();
      // Only the owner may connect (the session hands it to the sandbox's user: session.test.ts).
      expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
      expect((await unixRequest(socketPath, 'GET', '/v1/models')).status).toBe(200);
      await gateway.close();
      await gateway.close();
      expect(fs.existsSync(socketPath)).toBe(false);
      await new Promise((r) => dead.close(r));
    });

    it('close() aborts a call in flight, frees its reservation, and removes the socket', async () => {
      const budget = new BudgetLedger({ tokens: 1_000_000 });
      const socket = await startGateway({ budget });
      stub.enqueue({ kind: 'hang' });
      const pending = chat(socket, 'task', 'never answered');
      await stub.waitForRequests(1);
      expect(budget.snapshot().inFlightCalls).toBe(1);
      await gateways.pop()?.close();
      await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(fs.existsSync(socket)).toBe(false);
      // The aborted call settles asynchronously: wait for its log record, then check the ledger.
      while (log.records.length === 0) await new Promise((r) => setImmediate(r));
      expect(log.records[0]).toMatchObject({ status: 503, error: 'the LLM gateway is shutting down' });
      expect(budget.snapshot()).toMatchObject({ inFlightCalls: 0, spent: { tokens: 0 } });
    });

    it('refuses to clobber a regular file at the socket path', async () => {
      const socketPath = path.join(dir, 'not-a-socket');
      fs.writeFileSync(socketPath, 'keep me');
      const gateway = new LlmGateway({ socketPath });
      await expect(gateway.start()).rejects.toThrow(
        `cannot listen on ${socketPath}: a non-socket file is there`,
      );
      expect(fs.readFileSync(socketPath, 'utf8')).toBe('keep me');
      await gateway.close();
      expect(fs.existsSync(socketPath)).toBe(true);
    });
  });
});
