import { openGatewaySession, type GatewaySession } from '../../src/llm';
import { LLM_SOCKET_NAME, SOCKET_DIR, type Sandbox } from '../../src/sandbox';
import { MemoryObjectStore } from '../../src/storage/memoryStore';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';
import { backends, env, hostileRunner, lastJson, node, observedLog } from './suite';

/**
 * Hostile programs against their LLM gateway, opened as the engine opens it (a task-evaluation
 * session: private folder, socket of the sandbox user, role fixed by the host). Each case runs on
 * both backends and asserts the gateway held: nothing reached the upstream it should not, the
 * store got no more than digests, and the gateway still answers.
 */

jest.setTimeout(60_000);

const record = observedLog('gateway');

/** Shared by the programs: an HTTP request to the gateway, answered as `{ status, body }`. */
const client = `
import http from 'node:http';
import net from 'node:net';
const socketPath = process.env.HYPERAGENTS_LLM_SOCKET;
function call(method, path, body, headers = {}) {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path, method, agent: false,
      headers: payload === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => { let s = ''; res.on('data', (d) => (s += d)); res.on('end', () => { let b; try { b = JSON.parse(s); } catch { b = s; } resolve({ status: res.statusCode, body: b }); }); });
    req.on('error', (e) => resolve({ error: e.code }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
`;

/** Claims the meta role in a task session, by model and by header; then asks as a task agent. */
const claimRole = `${client}
const byModel = await call('POST', '/v1/chat/completions', { model: 'meta', messages: [{ role: 'user', content: 'big model please' }] });
const byHeader = await call('POST', '/v1/chat/completions', { model: 'task', messages: [{ role: 'user', content: 'x' }] }, { 'x-hyperagents-role': 'meta' });
const honest = await call('POST', '/v1/chat/completions', { model: 'task', messages: [{ role: 'user', content: 'x' }] });
console.log(JSON.stringify({ byModel: byModel.status, byHeader: byHeader.status, honest: honest.status }));
`;

/** Twenty 8 MiB requests, then twenty invalid ones of 900 KiB, as fast as it can. */
const floodLarge = `${client}
const big = JSON.stringify({ model: 'task', messages: [{ role: 'user', content: 'x'.repeat(8 * 1024 * 1024) }] });
const large = [];
for (let i = 0; i < 20; i++) large.push((await call('POST', '/v1/chat/completions', big)).status ?? 'reset');
const invalid = [];
const bad = { model: 'gpt-4o', messages: [{ role: 'user', content: 'y'.repeat(900 * 1024) }] };
for (let i = 0; i < 20; i++) { const r = await call('POST', '/v1/chat/completions', bad); invalid.push(r.status ?? r.error); }
console.log(JSON.stringify({ large: [...new Set(large)], invalid: [...new Set(invalid)] }));
`;

/** 150 half-sent uploads held open: headers and a little of a body that never comes; what came back. */
const halfSent = `${client}
const head = 'POST /v1/chat/completions HTTP/1.1\\r\\nHost: gw\\r\\ncontent-type: application/json\\r\\ncontent-length: 1000000\\r\\n\\r\\n{"model":"task","messages":[';
let closed = 0;
let after;
const ev = {};
const bump = (k) => (ev[k] = (ev[k] ?? 0) + 1);
process.on('exit', () => console.log(JSON.stringify({ closed, after, ev })));
await Promise.all(Array.from({ length: 150 }, () => new Promise((resolve) => {
  const s = net.connect(socketPath);
  s.on('connect', () => { bump('connect'); s.write(head); });
  s.on('error', (e) => bump(e.code));
  s.on('end', () => bump('end'));
  s.on('data', (d) => bump(String(d).slice(0, 12)));
  s.on('close', () => { closed++; resolve(true); });
})));
after = (await call('GET', '/v1/models')).status;
`;

/** Small invalid requests without end, to fill the call log. */
const fillLog = `${client}
const statuses = {};
for (let i = 0; i < 400; i++) {
  const r = await call('POST', '/v1/chat/completions', { model: 'nobody', messages: [{ role: 'user', content: 'z'.repeat(2000) + i }] });
  statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  if (r.status === 429) await new Promise((t) => setTimeout(t, 50));
}
const last = await call('POST', '/v1/chat/completions', { model: 'task', messages: [{ role: 'user', content: 'now answer' }] });
console.log(JSON.stringify({ statuses, last: last.status, type: last.body?.error?.type }));
`;

/** Bytes the session's call log wrote to the store. */
async function storedBytes(store: MemoryObjectStore): Promise<number> {
  let total = 0;
  for (const key of await store.list('')) total += (await store.get(key))?.length ?? 0;
  return total;
}

describe.each(backends)('%s: a hostile program cannot abuse its LLM gateway', (backend, make) => {
  let sandbox: Sandbox;
  let stub: OpenAIStub;
  let store: MemoryObjectStore;
  let session: GatewaySession | undefined;
  beforeAll(async () => {
    sandbox = await make();
  });
  beforeEach(async () => {
    stub = await startOpenAIStub({ fallback: { kind: 'text', content: 'ok' } });
    store = new MemoryObjectStore();
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await stub.close();
  });
  const hostile = hostileRunner(backend, () => sandbox, record);

  /** A task-evaluation session as the engine opens it, and the sandbox spec that reaches it. */
  async function openTaskSession(limits?: Parameters<typeof openGatewaySession>[0]['limits']) {
    session = await openGatewaySession({
      llm: { baseUrl: stub.baseURL, apiKey: 'sk-hostile-gateway-key', metaModel: 'big', taskModel: 'small' },
      budgetLeft: {},
      store,
      runId: 'hostile',
      nodeId: `gen-${backend}`,
      purpose: 'evaluate:paper-review',
      ...(limits ? { limits } : {}),
    });
    return {
      socketDir: session!.socketDir,
      env: { ...env, HYPERAGENTS_LLM_SOCKET: `${SOCKET_DIR}/${LLM_SOCKET_NAME}` },
    };
  }

  test('claiming the meta role in a task session: 403 and a reported violation; the sandbox user connects', async () => {
    const reach = await openTaskSession();
    const res = await hostile('LLM gateway: claiming another role', { ...node(claimRole), ...reach });
    expect(lastJson(res)).toEqual({ byModel: 403, byHeader: 403, honest: 200 });
    expect(stub.chatRequests.map((r) => (r.body as { model: string }).model)).toEqual(['small']);
    expect(session!.violation?.()).toBe('role "meta" is not allowed in this session (it may use "task")');
    expect(session!.refusals?.().forbiddenRole).toBe(2);
  });

  test('twenty 8 MiB requests and twenty invalid 900 KiB ones: 413 unread, digests only in the store', async () => {
    const reach = await openTaskSession();
    const res = await hostile('LLM gateway: oversized and invalid requests', {
      ...node(floodLarge),
      ...reach,
      // 26 MiB through the gateway takes a few seconds, on a loaded machine more than the suite's 8;
      // the client's own 8 MiB buffers, before the collector frees them, went past 128 MB at times.
      limits: { memoryMb: 256, timeoutSec: 30 },
    });
    expect({ outcome: res.outcome, stderr: res.stderr.slice(-500) }).toEqual({ outcome: 'ok', stderr: '' });
    const seen = lastJson(res) as { large: unknown[]; invalid: unknown[] };
    // The gateway answers 413 on the declared length and closes; a client still writing may see a reset.
    expect(seen.large.every((s) => s === 413 || s === 'reset')).toBe(true);
    expect(seen.large).toContain(413);
    // Invalid ones are read and answered 400; once in about ten runs of this suite one of them
    // met a reset instead (the program is the only client, one request at a time): refused either way.
    expect(seen.invalid.every((s) => s === 400 || s === 'ECONNRESET' || s === 'EPIPE')).toBe(true);
    expect(seen.invalid).toContain(400);
    expect(stub.requests).toHaveLength(0);
    // 40 requests, 26 MiB sent: the store holds 20 digests of a few hundred bytes each.
    expect(await storedBytes(store)).toBeLessThan(40 * 1024);
    expect(session!.refusals?.().tooLarge).toBe(20);
  });

  test('150 half-sent uploads: connections capped and timed out, the gateway still answers', async () => {
    const reach = await openTaskSession({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const rssBefore = process.memoryUsage().rss;
    const res = await hostile('LLM gateway: 150 half-sent uploads', { ...node(halfSent), ...reach });
    // Past the connection cap, connections are dropped at once (EPIPE); the ones let in are
    // answered 429 (too many in flight) or 408 (too slow) and closed.
    expect(lastJson(res)).toMatchObject({ closed: 150, after: 200 });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(stub.requests).toHaveLength(0);
  });

  test('filling the call log: the quota ends the session as a broken rule', async () => {
    const reach = await openTaskSession({ maxLogBytes: 64 * 1024, ratePerSec: 1000, burst: 1000 });
    const res = await hostile('LLM gateway: filling the call log', { ...node(fillLog), ...reach });
    const seen = lastJson(res) as { last: number; type: string };
    expect(seen).toMatchObject({ last: 403, type: 'policy_violation' });
    expect(await storedBytes(store)).toBeLessThanOrEqual(64 * 1024);
    expect(session!.violation?.()).toBe("the session's LLM call log passed its quota of 65536 bytes");
    expect(session!.violated?.aborted).toBe(true);
    expect(stub.requests).toHaveLength(0);
    record('LLM gateway: filling the call log', backend, `${res.outcome}; gateway violation → policy`);
  });
});
