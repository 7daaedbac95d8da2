import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { AGENT_GID, AGENT_UID } from '../sandbox/rootfs';
import type { BudgetLedger } from './budget';
import type { CallLog, CallRecord } from './call-log';
import { type ChatCallContext, handleChatCall, NO_ENDPOINT_MESSAGE, ROLE_HEADER } from './chat-call';
import { GatewayError, parseJson, readBody, refuseUnread, sendJson, tooLarge } from './http-io';
import type { PriceTable } from './pricing';
import type { ReplaySource } from './replay';
import { DEFAULT_RETRY_POLICY, type RetryDeps, type RetryPolicy, realRetryDeps } from './retry';
import { ROLES, type Role, type SessionInfo } from './types';
import { openAIUpstream, type Upstream, type UpstreamConfig } from './upstream';

/** What one session may do to its gateway; every limit is per gateway (one per sandbox session). */
export interface GatewayLimits {
  /** A larger body is refused with 413 before it is read (default 1 MiB). */
  maxBodyBytes: number;
  /** Connections open at once; more are dropped on accept (default 8). */
  maxConnections: number;
  /** Requests being handled at once; more are answered 429 unread (default 4). */
  maxInFlight: number;
  /** Sustained requests per second, with bursts of `burst` (defaults 5 and 20); more: 429 unread. */
  ratePerSec: number;
  burst: number;
  /** A request's headers must arrive within this (default 5 s). */
  headersTimeoutMs: number;
  /** A request, headers and body, must arrive within this (default 15 s). */
  requestTimeoutMs: number;
  /** Bytes of call records the session may write; past it the session has broken a rule (default 64 MiB). */
  maxLogBytes: number;
}

export const DEFAULT_GATEWAY_LIMITS: Readonly<GatewayLimits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxConnections: 8,
  maxInFlight: 4,
  ratePerSec: 5,
  burst: 20,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  maxLogBytes: 64 * 1024 * 1024,
});

/** Completion tokens a call may ask for when the config says nothing (`llm.maxCompletionTokens`). */
export const DEFAULT_MAX_COMPLETION_TOKENS = 4096;

/** Requests the gateway refused before reading them, by reason, and the rules the session broke. */
export interface GatewayRefusals {
  tooLarge: number;
  overCapacity: number;
  rateLimited: number;
  forbiddenRole: number;
  invalid: number;
  logQuota: number;
}

/** A session's refusals before any request. */
export function noRefusals(): GatewayRefusals {
  return { tooLarge: 0, overCapacity: 0, rateLimited: 0, forbiddenRole: 0, invalid: 0, logQuota: 0 };
}

export interface GatewayOptions {
  /** Where to listen; the worker mounts this socket into the sandbox. */
  socketPath: string;
  /**
   * Who may connect: when the worker runs as root the socket is handed to this user (mode 0600;
   * default the sandbox's agent user); else it stays the worker's own, which is then the sandbox's
   * user too (bubblewrap without root runs the program as the worker's user).
   */
  socketOwner?: { uid: number; gid: number };
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
  /** The roles the host opened this session for (default both); another role is refused with 403. */
  roles?: readonly Role[];
  /** Completion tokens a call may ask for, and what a call naming none gets (default 4096). */
  maxCompletionTokens?: number;
  limits?: Partial<GatewayLimits>;
  /** Called once, with the first rule the session broke (a refused role, the log quota). */
  onViolation?: (what: string) => void;
  /** A failing call log must not fail the agent's call; it is reported here (default: stderr). */
  onLogError?: (error: unknown) => void;
}

/**
 * The LLM gateway of one sandbox session: an OpenAI-compatible HTTP API on a Unix socket. The
 * sandbox names a role (`meta`/`task`), never a key or a real model; the gateway holds the key,
 * maps the role (only those the host opened the session for), meters, enforces the budget,
 * retries, logs, and can replay. What the program can send it is bounded: connections, requests
 * in flight and per second, body size, slow senders, and the bytes it makes the log write.
 */
export class LlmGateway {
  private readonly server: http.Server;
  private readonly aborter = new AbortController();
  private readonly ctx: ChatCallContext;
  private readonly limits: GatewayLimits;
  private listening = false;
  private inFlight = 0;
  private tokens: number;
  private refilledAt = performance.now();
  private logBytes = 0;
  private firstViolation?: string;
  private readonly refused: GatewayRefusals = noRefusals();

  constructor(private readonly options: GatewayOptions) {
    const gatewayId = randomUUID().slice(0, 8);
    let sequence = 0;
    const up = options.upstream;
    this.limits = { ...DEFAULT_GATEWAY_LIMITS, ...options.limits };
    this.tokens = this.limits.burst;
    const inner = options.callLog;
    this.ctx = {
      upstream: up && { client: options.upstreamClient ?? openAIUpstream(up), models: up.models },
      prices: options.prices ?? {},
      budget: options.budget,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      retryDeps: { ...realRetryDeps, ...options.retryDeps },
      callLog: inner && { append: (record) => this.appendWithinQuota(inner, record) },
      replay: options.replay && { source: options.replay.source, onMiss: options.replay.onMiss ?? 'error' },
      session: options.session ?? {},
      roles: options.roles ?? ROLES,
      maxCompletionTokens: options.maxCompletionTokens ?? DEFAULT_MAX_COMPLETION_TOKENS,
      onViolation: (what) => {
        this.refused.forbiddenRole += 1;
        this.violate(what);
      },
      secret: up?.apiKey,
      signal: this.aborter.signal,
      newCallId: () => `${gatewayId}-${++sequence}`,
      onLogError: options.onLogError ?? ((e) => console.error('LLM call log append failed:', e)),
    };
    this.server = http.createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        // How often the two timeouts above are checked (Node's default is every 30 s).
        connectionsCheckingInterval: Math.max(100, Math.min(1000, this.limits.headersTimeoutMs / 2)),
        keepAliveTimeout: 5_000,
      },
      (req, res) => void this.route(req, res),
    );
    this.server.maxConnections = this.limits.maxConnections;
    this.server.maxRequestsPerSocket = 100;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** The first rule the session broke (a role it may not use, the log quota), if any. */
  violation(): string | undefined {
    return this.firstViolation;
  }

  /** Requests refused for what the program did to the gateway, by reason. */
  refusals(): GatewayRefusals {
    return { ...this.refused };
  }

  async start(): Promise<{ socketPath: string }> {
    const socketPath = this.options.socketPath;
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o711 });
    removeStaleSocket(socketPath);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    // Connecting needs write permission on the socket: only its owner has it.
    fs.chmodSync(socketPath, 0o600);
    const owner = this.options.socketOwner ?? { uid: AGENT_UID, gid: AGENT_GID };
    if (process.getuid?.() === 0) fs.chownSync(socketPath, owner.uid, owner.gid);
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
    const admitted = this.admit(req);
    if (admitted) return refuseUnread(req, res, admitted);
    this.inFlight += 1;
    try {
      if (route === 'GET /v1/models') return sendJson(res, 200, this.models());
      if (route === 'POST /v1/chat/completions') {
        if (this.firstViolation && this.logBytes > this.limits.maxLogBytes) {
          this.refused.logQuota += 1;
          throw new GatewayError(403, `session ended: ${this.firstViolation}`, 'policy_violation');
        }
        const bytes = await readBody(req, this.limits.maxBodyBytes);
        const body = parseJson(bytes);
        const role = req.headers[ROLE_HEADER];
        const answer = await handleChatCall(
          this.ctx,
          body,
          typeof role === 'string' ? role : undefined,
          bytes,
        );
        return sendJson(res, answer.status, answer.body);
      }
      throw new GatewayError(404, `the LLM gateway has no route ${route}`, 'not_found');
    } catch (e) {
      const error =
        e instanceof GatewayError ? e : new GatewayError(500, `LLM gateway error: ${(e as Error).message}`);
      if (error.status === 413) {
        this.refused.tooLarge += 1;
        return refuseUnread(req, res, error);
      }
      if (error.type === 'invalid_request_error') this.refused.invalid += 1;
      sendJson(res, error.status, error.body());
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Refuses, before anything is read, a request over the session's caps; undefined admits it. */
  private admit(req: http.IncomingMessage): GatewayError | undefined {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.limits.maxBodyBytes) {
      this.refused.tooLarge += 1;
      return tooLarge(this.limits.maxBodyBytes);
    }
    if (this.inFlight >= this.limits.maxInFlight) {
      this.refused.overCapacity += 1;
      return new GatewayError(
        429,
        `too many requests in flight (at most ${this.limits.maxInFlight} per session)`,
        'too_many_requests',
      );
    }
    const now = performance.now();
    this.tokens = Math.min(
      this.limits.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.limits.ratePerSec,
    );
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.refused.rateLimited += 1;
      return new GatewayError(
        429,
        `request rate above ${this.limits.ratePerSec}/s (bursts of ${this.limits.burst}) per session`,
        'rate_limited',
      );
    }
    this.tokens -= 1;
    return undefined;
  }

  /** Appends a record unless the session's log quota is spent; past it the session broke a rule. */
  private async appendWithinQuota(inner: CallLog, record: CallRecord): Promise<void> {
    const size = Buffer.byteLength(JSON.stringify(record));
    if (this.logBytes + size > this.limits.maxLogBytes) {
      this.logBytes = this.limits.maxLogBytes + 1;
      this.refused.logQuota += 1;
      this.violate(`the session's LLM call log passed its quota of ${this.limits.maxLogBytes} bytes`);
      return;
    }
    this.logBytes += size;
    await inner.append(record);
  }

  private violate(what: string): void {
    if (this.firstViolation !== undefined) return;
    this.firstViolation = what;
    this.options.onViolation?.(what);
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
  /** Per attempt (`llm.requestTimeoutSec`): a hung endpoint becomes a retryable timeout. */
  requestTimeoutSec?: number;
}): UpstreamConfig | undefined {
  if (!llm.baseUrl) return undefined;
  return {
    baseUrl: llm.baseUrl,
    apiKey: llm.apiKey,
    models: { meta: llm.metaModel, task: llm.taskModel },
    ...(llm.requestTimeoutSec !== undefined ? { timeoutMs: llm.requestTimeoutSec * 1000 } : {}),
  };
}
