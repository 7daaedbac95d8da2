import * as http from 'http';
import type { FastifyInstance } from 'fastify';
import type { NodeRecord } from '../../src/archive';
import type { ConsoleBackend } from '../../src/console/backend';
import { escapeHtml, html } from '../../src/console/html';
import { buildConsole } from '../../src/console/server';
import type { RunStatus } from '../../src/engine';
import { archiveTreeSpec, TREE_NODE_MARK } from '../../src/report/charts';
import { DecisionRefused, type Decision } from '../../src/wiring/runOps';

/**
 * The console over a stub backend (no stack): what an agent wrote is shown as text, never markup,
 * and every state-changing request needs the token in its header, the same origin and JSON.
 */

const XSS = '<script>window.__xss = 1</script>';
const TOKEN = 'test-token-0123456789abcdef';
/** The bound port, once `listen` chose one. */
let PORT = 0;
let HOST = '';

interface Answer {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json(): unknown;
}

/**
 * An HTTP request to a listening console (not fastify's inject, whose cookie module is an ES module
 * jest cannot require); Host and Origin are set as a browser or an attacker would.
 */
function send(
  app: FastifyInstance,
  o: { method?: string; url: string; headers?: Record<string, string>; payload?: string },
): Promise<Answer> {
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path: o.url,
        headers: { host: HOST, ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(o.payload);
  });
}

async function listening(app: FastifyInstance, host = '127.0.0.1'): Promise<FastifyInstance> {
  await app.listen({ host, port: 0 });
  const addr = app.server.address();
  PORT = typeof addr === 'object' && addr ? addr.port : 0;
  HOST = `127.0.0.1:${PORT}`;
  return app;
}

function node(over: Partial<NodeRecord> & { nodeId: string; generation: number }): NodeRecord {
  return {
    runId: 'r1',
    parentId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    snapshotKey: 'blobs/sha256/x',
    patchEmpty: false,
    changedPaths: [],
    metaChanged: false,
    strategy: 'offline',
    metaOutcome: 'ok',
    validation: { passed: true, reasons: [] },
    revertedPaths: [],
    scores: { parity: { train: { score: 0.5, basis: 'full', evaluated: 3, total: 3 } } },
    costUsd: 0,
    tokens: 0,
    ...over,
  };
}

const nodes: NodeRecord[] = [
  node({ nodeId: 'gen-00000', generation: 0, strategy: 'seed' }),
  node({
    nodeId: 'gen-00001',
    generation: 1,
    parentId: 'gen-00000',
    changedPaths: [`task/${XSS}.mjs`],
    metaChanged: true,
    approval: { status: 'rejected', note: XSS, by: `<b>mallory</b>`, at: '2026-01-01T00:01:00.000Z' },
    validation: { passed: false, reasons: [XSS] },
  }),
  node({ nodeId: 'gen-00002', generation: 2, parentId: 'gen-00000', approval: { status: 'pending' } }),
];

const status = {
  runId: 'r1',
  startedAtMs: 0,
  startNodeId: 'gen-00000',
  generationsStarted: 3,
  generationsDone: 2,
  bestPerDomain: { parity: 0.5 },
  spentUsd: 0,
  spentTokens: 0,
  budget: { generations: 3 },
  pending: [{ nodeId: 'gen-00002', generation: 2, reason: XSS, perDomain: {} }],
  decided: {},
  paused: false,
  failures: 0,
  method: 'dgm-h',
  domains: ['parity'],
  running: [3],
} as RunStatus;

/** What the stub promotion service was asked to promote; it promotes gen-00003 only. */
const promoted: string[] = [];

function backend(decide: (d: Decision) => Promise<string>): ConsoleBackend {
  return {
    listRuns: async () => [
      { runId: 'r1', state: 'running', domains: ['parity'], startTime: new Date(0), generation: 2 },
    ],
    runStatus: async (runId) => {
      if (runId !== 'r1') throw new Error(`no run with id ${runId} (see \`hyperagents list\`)`);
      return { status, live: true };
    },
    // Generation 3 evaluates, its stage retried after a failure whose message is markup.
    progress: async (runId, generations) =>
      runId === 'r1' && generations.includes(3)
        ? [
            {
              generation: 3,
              pending: [
                {
                  type: 'evaluateStage',
                  detail: { what: 'gen-00003 on parity train (staged)', done: 4, total: 10 },
                  attempt: 2,
                  lastFailure: XSS,
                },
              ],
            },
          ]
        : [],
    nodes: async (runId) => (runId === 'r1' ? nodes : []),
    diff: async () => ({
      patch: `--- a/task/x.mjs\n+++ b/task/x.mjs\n@@ -1 +1 @@\n-old\n+${XSS} x\u202Egpj.mjs\n`,
      wholeFile: [],
    }),
    programFile: async () => `# notes\n${XSS}\n`,
    callLog: async () => [],
    decide,
    promote: async ({ runId, nodeId, reviewer }) => {
      if (nodeId !== 'gen-00003') {
        const refused = new Error(`${runId}/${nodeId} was never approved`);
        refused.name = 'PromotionRefused';
        throw refused;
      }
      promoted.push(`${nodeId} by ${reviewer}`);
      return `promoted ${runId}/${nodeId} as release r0001`;
    },
    uiLink: (id) => `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(id ?? '')}`,
  };
}

// The charts are vega's (tested through the browser suite); here a stub keeps the suite fast.
const renderSvg = async (spec: Record<string, unknown>) =>
  `<svg data-spec="${escapeHtml(String(spec.$schema))}"></svg>`;

function consoleWith(decide: (d: Decision) => Promise<string> = async (d) => `${d.nodeId} approved`) {
  const app = buildConsole({
    backend: backend(decide),
    token: TOKEN,
    host: '127.0.0.1',
    port: PORT,
    renderSvg,
  });
  return app;
}

/** Agent text must never appear as markup: no raw `<script>window.__xss` and no raw `<b>`. */
function expectNoInjection(body: string) {
  expect(body).not.toContain(XSS);
  expect(body).not.toContain('<b>mallory');
  expect(body).not.toContain('<script>window');
}

describe('console pages show agent text as text', () => {
  const app = consoleWith();
  beforeAll(() => listening(app));
  afterAll(() => app.close());

  test('escapeHtml and the html template', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\u202e`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;\\u202e',
    );
    expect(html`<p title="${'"><script>'}">${XSS}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;">&lt;script&gt;window.__xss = 1&lt;/script&gt;</p>',
    );
  });

  test('the run page: a pending reason, a validation reason and a reviewer with markup are escaped', async () => {
    const r = await send(app, { url: '/runs/r1' });
    expect(r.statusCode).toBe(200);
    expectNoInjection(r.body);
    expect(r.body).toContain('&lt;script&gt;window.__xss = 1&lt;/script&gt;');
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
    // The approve/reject form for the pending node, three charts.
    expect(r.body).toContain('data-node="gen-00002"');
    expect(r.body.match(/<svg /g)).toHaveLength(3);
    // The running generation's stage and tasks done of total, as `status --watch` prints it.
    expect(r.body).toContain(
      '<div class="stage">gen-3: evaluating parity train staged 4/10 tasks (attempt 2: &lt;script&gt;window.__xss = 1&lt;/script&gt;)</div>',
    );
  });

  test("the live block the page refreshes carries the running generation's stage", async () => {
    const r = await send(app, { url: '/runs/r1/live' });
    expect(r.statusCode).toBe(200);
    expectNoInjection(r.body);
    expect(r.body).toContain('gen-3: evaluating parity train staged 4/10 tasks');
  });

  test('the node page: a note, the notes file, a changed path and the diff with <script> show as text', async () => {
    const r = await send(app, { url: '/runs/r1/nodes/gen-00001' });
    expect(r.statusCode).toBe(200);
    expectNoInjection(r.body);
    expect(r.body).toContain('<q class="note">&lt;script&gt;window.__xss = 1&lt;/script&gt;</q>');
    expect(r.body).toContain('by &lt;b&gt;mallory&lt;/b&gt;');
    expect(r.body).toMatch(/<pre class="notes" id="notes"># notes\n&lt;script&gt;/);
    // A bidi override in the diff is shown, not obeyed.
    expect(r.body).not.toContain('\u202e');
    expect(r.body).toContain('x\\u202egpj.mjs');
    // The only scripts are the page's own: the diff viewer's file and the nonce'd inline one.
    expect(r.body.match(/<script[ >]/g)).toHaveLength(2);
    // A rejected node: the Promote button is there, disabled.
    expect(r.body).toMatch(/id="promote"[^>]*disabled/);
  });

  test('an unknown run or node is a 404 page, its name escaped', async () => {
    const r = await send(app, { url: `/runs/${encodeURIComponent(XSS)}` });
    expect(r.statusCode).toBe(404);
    expectNoInjection(r.body);
    const n = await send(app, { url: '/runs/r1/nodes/gen-00042' });
    expect(n.statusCode).toBe(404);
  });
});

describe('console requests that change state', () => {
  const decided: Decision[] = [];
  const app = consoleWith(async (d) => {
    if (d.nodeId === 'gen-00001') throw new DecisionRefused('node gen-00001 was already rejected');
    decided.push(d);
    return `${d.nodeId} ${d.approve ? 'approved' : 'rejected'}`;
  });
  beforeAll(() => listening(app));
  afterAll(() => app.close());
  const approve = (
    headers: Record<string, string>,
    body: unknown = { note: 'fine', reviewer: 'ada' },
    nodeId = 'gen-00002',
  ) =>
    send(app, {
      method: 'POST',
      url: `/api/runs/r1/nodes/${nodeId}/approve`,
      headers: { host: HOST, 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });

  test('need the token', async () => {
    expect((await approve({})).statusCode).toBe(403);
    expect((await approve({ 'x-hyperagents-token': 'wrong' })).statusCode).toBe(403);
    expect(decided).toHaveLength(0);
  });

  test('are refused from another origin or site, even with the token', async () => {
    const t = { 'x-hyperagents-token': TOKEN };
    const r = await approve({ ...t, origin: 'http://evil.example' });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ reason: 'origin' });
    expect((await approve({ ...t, 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    // DNS rebinding: a foreign name resolving to loopback.
    expect((await approve({ ...t, host: `evil.example:${PORT}` })).statusCode).toBe(403);
    // A form post (no preflight) is not JSON: refused too.
    const form = await send(app, {
      method: 'POST',
      url: '/api/runs/r1/nodes/gen-00002/approve',
      headers: { host: HOST, ...t, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'note=x&reviewer=y',
    });
    expect(form.statusCode).toBe(415);
    expect(decided).toHaveLength(0);
  });

  test('with the token, same origin: sent with the reviewer; a refusal comes back as the message', async () => {
    const ok = await approve({ 'x-hyperagents-token': TOKEN, origin: `http://${HOST}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ message: 'gen-00002 approved' });
    expect(decided).toEqual([
      { runId: 'r1', nodeId: 'gen-00002', approve: true, note: 'fine', reviewer: 'ada' },
    ]);
    const refused = await approve({ 'x-hyperagents-token': TOKEN }, { reviewer: 'ada' }, 'gen-00001');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: 'node gen-00001 was already rejected' });
    const anonymous = await approve({ 'x-hyperagents-token': TOKEN }, { note: 'x' });
    expect(anonymous.statusCode).toBe(400);
  });

  test('promotion: with the token and a reviewer; a refusal is a 409 with its reason', async () => {
    const promote = (nodeId: string, headers: Record<string, string>, body: unknown = { reviewer: 'ada' }) =>
      send(app, {
        method: 'POST',
        url: `/api/runs/r1/nodes/${nodeId}/promote`,
        headers: { host: HOST, 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(body),
      });
    const t = { 'x-hyperagents-token': TOKEN };
    expect((await promote('gen-00003', {})).statusCode).toBe(403);
    expect((await promote('gen-00003', { ...t, origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await promote('gen-00003', t, {})).statusCode).toBe(400);
    expect(promoted).toEqual([]);
    const ok = await promote('gen-00003', t);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ message: 'promoted r1/gen-00003 as release r0001' });
    expect(promoted).toEqual(['gen-00003 by ada']);
    const refused = await promote('gen-00002', t);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: 'r1/gen-00002 was never approved' });
  });

  test('off loopback, reads need the token too (Basic auth password or the header)', async () => {
    const open = buildConsole({
      backend: backend(async () => ''),
      token: TOKEN,
      host: '0.0.0.0',
      port: 0,
      renderSvg,
    });
    // Bound to loopback for the test, told it is not: the checks follow the configured host.
    await open.listen({ host: '127.0.0.1', port: 0 });
    try {
      expect((await send(open, { url: '/' })).statusCode).toBe(401);
      const basic = `Basic ${Buffer.from(`me:${TOKEN}`).toString('base64')}`;
      expect((await send(open, { url: '/', headers: { authorization: basic } })).statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });
});

test('the tree spec names its node mark and keeps every node', () => {
  const spec = archiveTreeSpec(
    nodes.map((n) => ({ id: n.nodeId, parent: n.parentId, metaChanged: n.metaChanged, eligible: true })),
  );
  const marks = spec.marks as Array<{ name?: string }>;
  expect(marks.some((m) => m.name === TREE_NODE_MARK)).toBe(true);
  expect(((spec.data as Array<{ values?: unknown[] }>)[0]!.values ?? []).length).toBe(3);
});
