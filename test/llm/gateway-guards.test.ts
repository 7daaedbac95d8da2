import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { BudgetLedger, type GatewayOptions, InMemoryCallLog, LlmGateway } from '../../src/llm';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';
import { chatBody, type UnixResponse, unixRequest } from './unix-http';

/**
 * What a program in the sandbox can ask of its gateway, and what it can do to it: the request
 * keys and limits forwarded upstream, the roles the host opened the session for, and the caps on
 * connections, requests, body size, slow senders and the log.
 */

const MODELS = { meta: 'big-model', task: 'small-model' };
const errorOf = (res: UnixResponse) => (res.body as { error: { message: string; type: string } }).error;

let dir: string;
let stub: OpenAIStub;
let log: InMemoryCallLog;
const gateways: LlmGateway[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-guards-'));
  stub = await startOpenAIStub({ fallback: { kind: 'text', content: 'ok' } });
  log = new InMemoryCallLog();
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  await stub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startGateway(
  overrides: Partial<GatewayOptions> = {},
): Promise<{ socket: string; gateway: LlmGateway }> {
  const gateway = new LlmGateway({
    socketPath: path.join(dir, `gw-${gateways.length}.sock`),
    upstream: { baseUrl: stub.baseURL, apiKey: 'sk-guards-0123456789', models: MODELS, timeoutMs: 5_000 },
    callLog: log,
    retry: { maxAttempts: 1 },
    ...overrides,
  });
  gateways.push(gateway);
  return { socket: (await gateway.start()).socketPath, gateway };
}

const chat = (socket: string, role: string, content: string, extra?: Record<string, unknown>) =>
  unixRequest(socket, 'POST', '/v1/chat/completions', chatBody(role, content, extra));

/** Raw bytes to the socket; resolves with what came back once the gateway closed the connection. */
function rawExchange(socket: string, send: (s: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    const chunks: Buffer[] = [];
    s.on('connect', () => send(s));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    );
    s.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const postHead = (length: number | 'chunked') =>
  'POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\ncontent-type: application/json\r\n' +
  (length === 'chunked' ? 'transfer-encoding: chunked\r\n' : `content-length: ${length}\r\n`) +
  '\r\n';

describe('what a request may ask for', () => {
  it('forwards one choice and at most the configured completion tokens, and reserves exactly that', async () => {
    const budget = new BudgetLedger({ tokens: 1_000_000 });
    const { socket } = await startGateway({ budget, maxCompletionTokens: 1000 });
    let release!: () => void;
    stub.enqueue({ kind: 'text', content: 'a', gate: new Promise<void>((r) => (release = r)) });
    const pending = chat(socket, 'task', 'hi', { n: 128, max_tokens: 100_000 });
    await stub.waitForRequests(1);
    // 39 bytes of messages → 10 prompt tokens, plus the clamped 1000 completion tokens.
    expect(budget.snapshot().inFlight.tokens).toBe(10 + 1000);
    release();
    expect((await pending).status).toBe(200);
    expect((await chat(socket, 'task', 'no limit')).status).toBe(200);
    expect((await chat(socket, 'task', 'newer key', { max_completion_tokens: 5000 })).status).toBe(200);
    const [clamped, unlimited, newer] = stub.chatRequests.map((r) => r.body as Record<string, unknown>);
    expect(clamped).toMatchObject({ max_tokens: 1000 });
    expect(clamped).not.toHaveProperty('n');
    expect(unlimited).toMatchObject({ max_tokens: 1000 });
    expect(newer).toMatchObject({ max_completion_tokens: 1000 });
    expect(newer).not.toHaveProperty('max_tokens');
  });

  it('refuses keys it does not forward, naming them, without calling upstream', async () => {
    const { socket } = await startGateway();
    const tier = await chat(socket, 'task', 'hi', { service_tier: 'priority', store: true });
    expect(tier.status).toBe(400);
    expect(errorOf(tier).message).toMatch(
      /^unsupported request key\(s\) "service_tier", "store": the LLM gateway forwards only model, messages, tools, /,
    );
    const badTemperature = await chat(socket, 'task', 'hi', { temperature: 'hot' });
    expect(badTemperature.status).toBe(400);
    expect(errorOf(badTemperature).message).toMatch(/^invalid chat request: temperature: /);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('roles are the host’s to give', () => {
  it('refuses (403) and reports a role the session was not opened for, by model or header', async () => {
    const violations: string[] = [];
    const { socket, gateway } = await startGateway({
      roles: ['task'],
      onViolation: (w) => violations.push(w),
    });
    const byModel = await chat(socket, 'meta', 'use the big model');
    expect(byModel.status).toBe(403);
    expect(errorOf(byModel)).toMatchObject({
      type: 'forbidden_role',
      message: 'role "meta" is not allowed in this session (it may use "task")',
    });
    const byHeader = await unixRequest(socket, 'POST', '/v1/chat/completions', chatBody('task', 'x'), {
      'x-hyperagents-role': 'meta',
    });
    expect(byHeader.status).toBe(403);
    expect((await chat(socket, 'task', 'allowed')).status).toBe(200);
    expect(stub.chatRequests.map((r) => (r.body as { model: string }).model)).toEqual(['small-model']);
    expect(gateway.refusals().forbiddenRole).toBe(2);
    expect(gateway.violation()).toBe('role "meta" is not allowed in this session (it may use "task")');
    expect(violations).toHaveLength(1);
  });
});

describe('what the sandbox can do to the gateway', () => {
  it('refuses a body declared over 1 MiB with 413 before it is sent', async () => {
    const { socket, gateway } = await startGateway();
    const answer = await rawExchange(socket, (s) => s.write(postHead(8 * 1024 * 1024)));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('request body larger than 1048576 bytes');
    expect(gateway.refusals().tooLarge).toBe(1);
    expect(log.records).toHaveLength(0);
  });

  it('cuts a chunked body at 1 MiB with 413', async () => {
    const { socket } = await startGateway();
    const chunk = Buffer.alloc(256 * 1024, 'a');
    const answer = await rawExchange(socket, (s) => {
      s.write(postHead('chunked'));
      const more = () => {
        if (s.destroyed) return;
        s.write(`${chunk.length.toString(16)}\r\n`);
        s.write(chunk);
        s.write('\r\n', () => setImmediate(more));
      };
      more();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('logs a refused or invalid request as a digest, not whole', async () => {
    const { socket } = await startGateway();
    const big = 'x'.repeat(512 * 1024);
    expect((await chat(socket, 'gpt-4o', big)).status).toBe(400);
    const [record] = log.records;
    const digest = (record?.request as { digest: { sha256: string; bytes: number; head: string } }).digest;
    expect(digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(digest.bytes).toBe(Buffer.byteLength(JSON.stringify(chatBody('gpt-4o', big))));
    expect(digest.head).toBe(JSON.stringify(chatBody('gpt-4o', big)).slice(0, 256));
    expect(JSON.stringify(record).length).toBeLessThan(2000);
  });

  it('answers 429 beyond the requests in flight and the rate it allows', async () => {
    const { socket, gateway } = await startGateway({ limits: { maxInFlight: 2 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    stub.enqueue({ kind: 'text', content: 'a', gate }, { kind: 'text', content: 'b', gate });
    const held = [chat(socket, 'task', 'one'), chat(socket, 'task', 'two')];
    await stub.waitForRequests(2);
    const third = await chat(socket, 'task', 'three');
    expect(third.status).toBe(429);
    expect(errorOf(third).type).toBe('too_many_requests');
    release();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    expect(stub.chatRequests).toHaveLength(2);
    expect(gateway.refusals().overCapacity).toBe(1);

    const { socket: slow, gateway: limited } = await startGateway({
      limits: { ratePerSec: 0.001, burst: 3 },
    });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await unixRequest(slow, 'GET', '/v1/models')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(limited.refusals().rateLimited).toBe(2);
  });

  it('drops connections past the cap and senders too slow to finish a request', async () => {
    const { socket } = await startGateway({
      limits: { maxConnections: 3, headersTimeoutMs: 400, requestTimeoutMs: 800 },
    });
    // Half-sent uploads: headers and a little of a body that never ends, and headers never finished.
    const closed = Array.from({ length: 12 }, (_, i) =>
      rawExchange(socket, (s) => s.write(i % 2 ? `${postHead(1000)}{"model":` : 'POST /v1/chat/compl')),
    );
    const answers = await Promise.all(closed);
    // Every connection ended, by the gateway: the ones past the cap at once, the rest at the timeouts.
    expect(answers).toHaveLength(12);
    expect(answers.filter((a) => a === '').length).toBeGreaterThanOrEqual(9 - 3);
    expect(stub.requests).toHaveLength(0);
    // And the gateway still answers.
    expect((await unixRequest(socket, 'GET', '/v1/models')).status).toBe(200);
  });

  it('ends the session as a rule broken once the log quota is spent', async () => {
    const violations: string[] = [];
    const { socket, gateway } = await startGateway({
      limits: { maxLogBytes: 3000 },
      onViolation: (w) => violations.push(w),
    });
    for (let i = 0; i < 10; i++) await chat(socket, 'nobody', `refused ${i}`);
    const stored = log.records.reduce((n, r) => n + JSON.stringify(r).length, 0);
    expect(stored).toBeLessThanOrEqual(3000);
    expect(gateway.violation()).toBe("the session's LLM call log passed its quota of 3000 bytes");
    expect(violations).toHaveLength(1);
    const after = await chat(socket, 'task', 'a real question');
    expect(after.status).toBe(403);
    expect(errorOf(after)).toMatchObject({ type: 'policy_violation' });
    expect(stub.requests).toHaveLength(0);
  });
});
