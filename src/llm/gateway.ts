import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { BudgetLedger } from './budget';
import type { CallLog } from './call-log';
import { type ChatCallContext, handleChatCall, NO_ENDPOINT_MESSAGE, ROLE_HEADER } from './chat-call';
import { GatewayError, readJsonBody, sendJson } from './http-io';
import type { PriceTable } from './pricing';
import type { ReplaySource } from './replay';
import { DEFAULT_RETRY_POLICY, type RetryDeps, type RetryPolicy, realRetryDeps } from './retry';
import { ROLES, type SessionInfo } from './types';
import { openAIUpstream, type Upstream, type UpstreamConfig } from './upstream';

export interface GatewayOptions {
  /** Where to listen; the worker mounts this socket into the sandbox. */
  socketPath: string;
  /** Absent: no endpoint configured; `/v1/models` says so and chat calls answer 503. */
  upstream?: UpstreamConfig;
  /** Replaces the openai-backed client (tests of the gateway's own logic). */
  upstreamClient?: Upstream;
  prices?: PriceTable;
  /** The run's ledger, possibly shared with other gateways of the same run. */
  budget?: BudgetLedger;
  retry?: Partial<RetryPolicy>;
  retryDeps?: Partial<RetryDeps>;
  callLog?: CallLog;
  /** Answer from recordings; on a miss either fail (strict rerun) or call the upstream. */
  replay?: { source: ReplaySource; onMiss?: 'error' | 'upstream' };
  session?: SessionInfo;
  /** Completion tokens reserved for a request without max_tokens (default 4096). */
  defaultCompletionTokens?: number;
  /** Default 8 MiB. */
  maxBodyBytes?: number;
  /** A failing call log must not fail the agent's call; it is reported here (default: stderr). */
  onLogError?: (error: unknown) => void;
}

/**
 * The LLM gateway of one sandbox session: an OpenAI-compatible HTTP API on a Unix socket. The
 * sandbox names a role (`meta`/`task`), never a key or a real model; the gateway holds the key,
 * maps the role, meters, enforces the budget, retries, logs, and can replay.
 */
export class LlmGateway {
  private readonly server: http.Server;
  private readonly aborter = new AbortController();
  private readonly ctx: ChatCallContext;
  private listening = false;

  constructor(private readonly options: GatewayOptions) {
    const gatewayId = randomUUID().slice(0, 8);
    let sequence = 0;
    const up = options.upstream;
    this.ctx = {
      upstream: up && { client: options.upstreamClient ?? openAIUpstream(up), models: up.models },
      prices: options.prices ?? {},
      budget: options.budget,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      retryDeps: { ...realRetryDeps, ...options.retryDeps },
      callLog: options.callLog,
      replay: options.replay && { source: options.replay.source, onMiss: options.replay.onMiss ?? 'error' },
      session: options.session ?? {},
      defaultCompletionTokens: options.defaultCompletionTokens ?? 4096,
      secret: up?.apiKey,
      signal: this.aborter.signal,
      newCallId: () => `${gatewayId}-${++sequence}`,
      onLogError: options.onLogError ?? ((e) => console.error('LLM call log append failed:', e)),
    };
    this.server = http.createServer((req, res) => void this.route(req, res));
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  async start(): Promise<{ socketPath: string }> {
    const socketPath = this.options.socketPath;
    fs.mkdirSync(path.dirname(socketPath), { recursive: true });
    removeStaleSocket(socketPath);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    // The sandbox runs as another, unprivileged user: it must be able to connect.
    fs.chmodSync(socketPath, 0o666);
    return { socketPath };
  }

  /** Aborts calls in flight, closes connections, and removes the socket file. Idempotent. */
  async close(): Promise<void> {
    this.aborter.abort();
    if (!this.listening) return;
    this.listening = false;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.options.socketPath, { force: true });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    try {
      if (route === 'GET /v1/models') return sendJson(res, 200, this.models());
      if (route === 'POST /v1/chat/completions') {
        const body = await readJsonBody(req, this.options.maxBodyBytes ?? 8 * 1024 * 1024);
        const role = req.headers[ROLE_HEADER];
        const answer = await handleChatCall(this.ctx, body, typeof role === 'string' ? role : undefined);
        return sendJson(res, answer.status, answer.body);
      }
      throw new GatewayError(404, `the LLM gateway has no route ${route}`, 'not_found');
    } catch (e) {
      const error =
        e instanceof GatewayError ? e : new GatewayError(500, `LLM gateway error: ${(e as Error).message}`);
      sendJson(res, error.status, error.body());
    }
  }

  /** Role names are the model ids the sandbox uses; the real names are shown for information. */
  private models(): object {
    const up = this.options.upstream;
    // A replaying gateway answers from recordings, so it offers the roles even without an endpoint.
    if (!up && !this.options.replay) return { object: 'list', data: [], message: NO_ENDPOINT_MESSAGE };
    const data = ROLES.map((role) => ({
      id: role,
      object: 'model',
      owned_by: 'hyperagents-gateway',
      upstream_model: up ? up.models[role] : 'replay',
    }));
    return { object: 'list', data };
  }
}

/** A socket left by a crashed worker would make listen() fail; anything else at the path is an error. */
function removeStaleSocket(socketPath: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`cannot listen on ${socketPath}: a non-socket file is there`);
  fs.rmSync(socketPath);
}

/** Upstream settings from the project config's `llm` section; undefined when no endpoint is set. */
export function upstreamFromConfig(llm: {
  baseUrl?: string;
  apiKey?: string;
  metaModel: string;
  taskModel: string;
}): UpstreamConfig | undefined {
  if (!llm.baseUrl) return undefined;
  return { baseUrl: llm.baseUrl, apiKey: llm.apiKey, models: { meta: llm.metaModel, task: llm.taskModel } };
}
