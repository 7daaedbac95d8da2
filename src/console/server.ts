import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { html as diffHtml } from 'diff2html';
import { lineageOf, type NodeRecord } from '../archive';
import {
  archiveTreeSpec,
  runScoresSpec,
  spendOverTimeSpec,
  type VegaLiteSpec,
  type VegaSpec,
} from '../report/charts';
import { progressLines } from '../report/progress';
import { mapLimit } from '../util/concurrency';
import { UNSAFE_CHARACTERS } from '../util/unsafeText';
import type { ConsoleBackend } from './backend';
import { CLIENT_SCRIPT, TOKEN_HEADER } from './client';
import { html } from './html';
import { liveBlock, nodePage, nodePath, page, runPage, runsPage, type RunRow } from './pages';
import { scorePointsOf, spendPointsOf, treeNodesOf } from './views';

/** Renders a chart spec to SVG (src/report/svg.ts; tests may pass a stub). */
export type SvgRenderer = (spec: VegaLiteSpec | VegaSpec) => Promise<string>;

export interface ConsoleOptions {
  backend: ConsoleBackend;
  /** Required on every state-changing request, in the `x-hyperagents-token` header. */
  token: string;
  /** The address the console binds to; a loopback one also pins the Host header (DNS rebinding). */
  host: string;
  port: number;
  renderSvg: SvgRenderer;
  /** Runs on the list page. */
  runsLimit?: number;
}

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** A fresh token when none is configured: printed once when the console starts. */
export function newConsoleToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** `host:port` as browsers send it in Host and Origin, for each loopback name when bound to loopback. */
function allowedHosts(host: string, port: number): Set<string> | undefined {
  if (!LOOPBACK_HOSTS.includes(host)) return undefined;
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/** The page's chart data rendered to SVG. */
async function runCharts(
  render: SvgRenderer,
  nodes: readonly NodeRecord[],
  domains: string[],
  link: (nodeId: string) => string,
) {
  const [scores, spend, tree] = await Promise.all([
    render(runScoresSpec(scorePointsOf(nodes))),
    render(spendOverTimeSpec(spendPointsOf(nodes))),
    render(archiveTreeSpec(treeNodesOf(nodes, domains, link))),
  ]);
  return { scores, spend, tree };
}

/** What a run page shows, for the console and for `hyperagents report`. */
export async function runPageData(
  backend: ConsoleBackend,
  render: SvgRenderer,
  runId: string,
  mode: 'console' | 'report',
) {
  const [st, nodes] = await Promise.all([liveStatus(backend, runId), backend.nodes(runId)]);
  if (!st.status && nodes.length === 0) throw new NotFound(st.error ?? `no run ${runId}`);
  const domains = st.status?.domains ?? [...new Set(nodes.flatMap((n) => Object.keys(n.scores)))].sort();
  const link = (nodeId: string) => (mode === 'report' ? `#node-${nodeId}` : nodePath(runId, nodeId));
  const svg = await runCharts(render, nodes, domains, link);
  return {
    runId,
    live: st.live,
    nodes,
    svg,
    ui: (id?: string) => backend.uiLink(id),
    mode,
    ...(st.status ? { status: st.status } : {}),
    ...(st.error !== undefined ? { statusError: st.error } : {}),
    ...(st.stages.length ? { stages: st.stages } : {}),
  };
}

/**
 * The run's status for the live block, with what each running generation does now (as
 * `status --watch` shows it); a status that cannot be read is its error, stages that cannot be
 * read are none.
 */
async function liveStatus(backend: ConsoleBackend, runId: string) {
  const st = await backend.runStatus(runId).then(
    (s) => ({ ...s, error: undefined }),
    (e: unknown) => ({ status: undefined, live: false, error: (e as Error).message }),
  );
  const running = st.status?.running ?? [];
  const stages = running.length ? progressLines(await backend.progress(runId, running).catch(() => [])) : [];
  return { ...st, stages };
}

class NotFound extends Error {}

const DIFF_OPTIONS = {
  drawFileList: true,
  outputFormat: 'line-by-line',
  matching: 'lines',
  diffStyle: 'word',
} as const;

function assets(): Record<string, { type: string; body: Buffer }> {
  const at = (p: string) => fs.readFileSync(require.resolve(`diff2html/bundles/${p}`));
  return {
    'diff2html.min.css': { type: 'text/css; charset=utf-8', body: at('css/diff2html.min.css') },
    // diff2html's browser UI with highlight.js (common languages): the diffs' syntax highlighting.
    'diff2html-ui-slim.min.js': {
      type: 'text/javascript; charset=utf-8',
      body: at('js/diff2html-ui-slim.min.js'),
    },
  };
}

export function buildConsole(o: ConsoleOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  // The bound port (o.port 0: a free port the system chose), read once the server listens.
  let hosts: Set<string> | undefined | null = null;
  const hostsNow = () => {
    if (hosts === null) {
      const addr = app.server.address();
      hosts = allowedHosts(o.host, typeof addr === 'object' && addr ? addr.port : o.port);
    }
    return hosts;
  };
  const open = LOOPBACK_HOSTS.includes(o.host);
  const files = assets();
  const b = o.backend;

  const refuse = (reply: FastifyReply, reason: 'host' | 'origin' | 'token', error: string) =>
    reply.code(403).type('application/json').send({ error, reason });

  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host ?? '';
    // DNS rebinding: a page of another site resolving its name to 127.0.0.1 sends its own Host.
    const allowed = hostsNow();
    if (allowed && !allowed.has(host)) return refuse(reply, 'host', `host ${host} is not this console`);
    const reads = req.method === 'GET' || req.method === 'HEAD';
    if (reads) {
      // Off loopback, reading needs the token too (as the header, or Basic auth's password).
      if (!open && !sameToken(tokenOf(req), o.token)) {
        void reply.header('www-authenticate', 'Basic realm="hyperagents console"');
        return reply.code(401).send('token required');
      }
      return;
    }
    // Anything that changes state: same origin only, JSON only, and the token in our header.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`)
      return refuse(reply, 'origin', `cross-origin request from ${origin} refused`);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return refuse(reply, 'origin', `cross-site request (${String(site)}) refused`);
    if (!sameToken(headerToken(req), o.token))
      return refuse(reply, 'token', `this needs the console's token in the ${TOKEN_HEADER} header`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return reply.code(415).send({ error: 'send JSON (content-type: application/json)' });
  });

  const htmlPage = (reply: FastifyReply, nonce: string, body: string) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(body);

  const failPage = (reply: FastifyReply, e: unknown) => {
    const nf =
      e instanceof NotFound ||
      /^no run with id/.test((e as Error).message) ||
      /not found|no node/i.test((e as Error).message);
    return reply
      .code(nf ? 404 : 500)
      .type('text/html; charset=utf-8')
      .send(
        page(
          html`<h1>${nf ? 'Not found' : 'Error'}</h1>
            <p>${(e as Error).message}</p>`,
          { title: 'hyperagents', nav: true },
        ),
      );
  };

  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());

  app.get('/assets/:name', async (req, reply) => {
    const f = files[(req.params as { name: string }).name];
    if (!f) return reply.code(404).send('no such asset');
    return reply.type(f.type).header('cache-control', 'max-age=3600').send(f.body);
  });

  const rows = async (): Promise<RunRow[]> => {
    const limit = o.runsLimit ?? 50;
    const listings = await b.listRuns(limit);
    return mapLimit(listings, 6, async (listing) => {
      // Only running and completed runs answer fast (a query, the stored result); the rest show what visibility knows.
      if (listing.state !== 'running' && listing.state !== 'completed') return { listing };
      try {
        const { status } = await withTimeout(b.runStatus(listing.runId), 4000);
        return { listing, status };
      } catch (e) {
        return { listing, error: (e as Error).message };
      }
    });
  };

  app.get('/', async (_req, reply) => {
    const nonce = randomBytes(12).toString('base64');
    return htmlPage(
      reply,
      nonce,
      runsPage(await rows(), { nonce, script: CLIENT_SCRIPT, limit: o.runsLimit ?? 50 }),
    );
  });

  app.get('/api/runs', async () =>
    (await rows()).map((r) => ({ ...r.listing, status: r.status, error: r.error })),
  );

  app.get('/runs/:run', async (req, reply) => {
    const { run } = req.params as { run: string };
    const nonce = randomBytes(12).toString('base64');
    try {
      const data = await runPageData(b, o.renderSvg, run, 'console');
      return htmlPage(reply, nonce, runPage({ ...data, nonce, script: CLIENT_SCRIPT }));
    } catch (e) {
      return failPage(reply, e);
    }
  });

  app.get('/runs/:run/live', async (req, reply) => {
    const { run } = req.params as { run: string };
    const s = await liveStatus(b, run);
    return reply
      .type('text/html; charset=utf-8')
      .send(liveBlock(run, s.status, s.live, (id) => b.uiLink(id), s.error, s.stages).value);
  });

  app.get('/api/runs/:run/status', async (req, reply) => {
    const { run } = req.params as { run: string };
    try {
      return await b.runStatus(run);
    } catch (e) {
      return reply.code(404).send({ error: (e as Error).message });
    }
  });

  app.get('/runs/:run/nodes/:node', async (req, reply) => {
    const { run, node: nodeId } = req.params as { run: string; node: string };
    const nonce = randomBytes(12).toString('base64');
    try {
      const nodes = await b.nodes(run);
      const node = nodes.find((n) => n.nodeId === nodeId);
      if (!node) throw new NotFound(`no node ${nodeId} in run ${run}`);
      const rootId = lineageOf(nodes, nodeId)[0]!;
      const diff = async (base: string) => {
        const d = await b.diff(run, base, nodeId);
        return d.patch
          ? { html: visible(diffHtml(d.patch, DIFF_OPTIONS)), wholeFile: d.wholeFile }
          : undefined;
      };
      const [parentDiff, rootDiff, notes, calls] = await Promise.all([
        node.parentId ? diff(node.parentId) : undefined,
        rootId !== nodeId ? diff(rootId) : undefined,
        b.programFile(run, nodeId, 'memory/notes.md'),
        b.callLog(run, nodeId).catch(() => []),
      ]);
      return htmlPage(
        reply,
        nonce,
        nodePage({
          runId: run,
          node,
          rootId,
          ...(parentDiff ? { parentDiff } : {}),
          ...(rootDiff ? { rootDiff } : {}),
          ...(notes !== undefined ? { notes } : {}),
          calls,
          ui: (id) => b.uiLink(id),
          pendingDecision: node.approval?.status === 'pending',
          nonce,
          script: CLIENT_SCRIPT,
        }).replace('</head>', `<script src="/assets/diff2html-ui-slim.min.js"></script></head>`),
      );
    } catch (e) {
      return failPage(reply, e);
    }
  });

  for (const action of ['approve', 'reject'] as const) {
    app.post(`/api/runs/:run/nodes/:node/${action}`, async (req, reply) => {
      const { run, node } = req.params as { run: string; node: string };
      const body = (req.body ?? {}) as { note?: unknown; reviewer?: unknown };
      const note = typeof body.note === 'string' ? body.note : undefined;
      const reviewer = typeof body.reviewer === 'string' ? body.reviewer.trim() : '';
      if (!reviewer)
        return reply
          .code(400)
          .send({ error: 'give the reviewer: who decides is recorded with the decision' });
      if (reviewer.length > 200 || (note?.length ?? 0) > 10_000)
        return reply.code(400).send({ error: 'reviewer (200) or note (10000 characters) too long' });
      try {
        const message = await b.decide({
          runId: run,
          nodeId: node,
          approve: action === 'approve',
          reviewer,
          ...(note ? { note } : {}),
        });
        return { message };
      } catch (e) {
        // The run's validator (or the missing reason) says why: shown as the page's message.
        const err = e as Error;
        const refused = err.name === 'DecisionRefused' || /^no run with id/.test(err.message);
        return reply.code(refused ? 409 : 502).send({ error: err.message });
      }
    });
  }

  app.post('/api/runs/:run/nodes/:node/promote', async (req, reply) => {
    const { run, node } = req.params as { run: string; node: string };
    const given = (req.body as { reviewer?: unknown } | undefined)?.reviewer;
    const reviewer = typeof given === 'string' ? given.trim() : '';
    if (!reviewer) return reply.code(400).send({ error: 'give the reviewer' });
    try {
      return { message: await b.promote({ runId: run, nodeId: node, reviewer }) };
    } catch (e) {
      // A refusal (not approved, already released, ...) is one line saying why.
      const err = e as Error;
      return reply.code(err.name === 'PromotionRefused' ? 409 : 502).send({ error: err.message });
    }
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        page(
          html`<h1>Not found</h1>
            <p>${req.url}</p>`,
          { title: 'hyperagents', nav: true },
        ),
      ),
  );
  return app;
}

/**
 * diff2html escapes markup but leaves the characters that hide or reorder text (bidi overrides,
 * zero-width, controls) as they are: shown as visible escapes here, as escapeHtml does elsewhere.
 */
function visible(markup: string): string {
  return markup.replace(UNSAFE_CHARACTERS, (c) =>
    c === '\n' || c === '\t' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function headerToken(req: FastifyRequest): string | undefined {
  const h = req.headers[TOKEN_HEADER];
  return typeof h === 'string' ? h : undefined;
}

/** The token of a read off loopback: our header, or the password of HTTP Basic auth. */
function tokenOf(req: FastifyRequest): string | undefined {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return headerToken(req);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Starts the console; resolves once it listens. */
export async function startConsole(o: ConsoleOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = buildConsole(o);
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${shown}:${port}`, close: () => app.close() };
}
