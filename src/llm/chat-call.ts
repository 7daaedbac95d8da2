import { createHash } from 'crypto';
import { z } from 'zod';
import { type BudgetLedger, isRefusal, type Reservation } from './budget';
import type { CallLog, CallRecord } from './call-log';
import { GatewayError, redactSecret } from './http-io';
import { costUsd, estimateTokens, type PriceTable } from './pricing';
import type { ReplaySource } from './replay';
import { requestHash } from './request-hash';
import { type RetryDeps, type RetryPolicy, withRetries } from './retry';
import { ROLES, type ChatBody, type Completion, type Role, type SessionInfo, type TokenUsage } from './types';
import { classifyUpstreamError, describeUpstreamFailure, type Upstream } from './upstream';

export const ROLE_HEADER = 'x-hyperagents-role';

export const NO_ENDPOINT_MESSAGE =
  'no LLM endpoint is configured (set llm.baseUrl or HYPERAGENTS_LLM_BASE_URL); ' +
  'agents should use their offline strategy';

/** Everything one chat call needs; built once per gateway. */
export interface ChatCallContext {
  upstream?: { client: Upstream; models: Record<Role, string> };
  prices: PriceTable;
  budget?: BudgetLedger;
  retryPolicy: RetryPolicy;
  retryDeps: RetryDeps;
  callLog?: CallLog;
  replay?: { source: ReplaySource; onMiss: 'error' | 'upstream' };
  session: SessionInfo;
  /** The roles this session may use, fixed by the host when it opened the session. */
  roles: readonly Role[];
  /** Completion tokens a call may ask for; a request without a limit gets exactly this. */
  maxCompletionTokens: number;
  /** A request that broke a rule (another role claimed): the gateway records it for the host. */
  onViolation: (what: string) => void;
  secret?: string;
  signal: AbortSignal;
  newCallId: () => string;
  onLogError: (error: unknown) => void;
}

export interface ChatAnswer {
  status: number;
  body: unknown;
}

const nonNegativeInt = z.number().int().nonnegative();

/**
 * The keys the gateway forwards upstream, each checked. Anything else (n > 1 aside, which is
 * clamped) is refused: `service_tier`, `store`, `logit_bias`, `prediction`, audio and the like
 * change the price or leave data upstream, and the budget cannot reason about what it does not know.
 */
const chatBodySchema = z
  .object({
    model: z.string().optional(),
    messages: z.array(z.record(z.string(), z.unknown())).min(1, 'messages must be a non-empty array'),
    tools: z.array(z.record(z.string(), z.unknown())).optional(),
    tool_choice: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    parallel_tool_calls: z.boolean().optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
    seed: z.number().int().optional(),
    response_format: z.record(z.string(), z.unknown()).optional(),
    n: nonNegativeInt.optional(),
    stream: z.boolean().optional(),
  })
  .strict();

/** The keys a chat request may carry (the rest are refused), for error messages and docs. */
export const FORWARDED_KEYS: readonly string[] = Object.keys(chatBodySchema.shape);

/**
 * One `POST /v1/chat/completions`: validate, resolve the role, answer from a recording when
 * replaying, else reserve budget, call the upstream with retries, meter, settle, and log. Every
 * path, refusals and errors included, produces exactly one log record.
 */
export async function handleChatCall(
  ctx: ChatCallContext,
  raw: unknown,
  roleHeader?: string,
  rawBytes?: Buffer,
): Promise<ChatAnswer> {
  const started = performance.now();
  const record: CallRecord = {
    id: ctx.newCallId(),
    startedAt: new Date().toISOString(),
    ...ctx.session,
    // A digest until the call is forwarded: refused and invalid requests are not stored whole.
    request: requestDigest(rawBytes ?? Buffer.from(JSON.stringify(raw) ?? '')),
    outcome: 'error',
    status: 500,
    usage: { promptTokens: 0, completionTokens: 0 },
    costUsd: 0,
    latencyMs: 0,
    attempts: 0,
  };
  let answer: ChatAnswer;
  try {
    answer = await answerChat(ctx, raw, roleHeader, record, started);
  } catch (e) {
    const error =
      e instanceof GatewayError
        ? e
        : new GatewayError(500, `LLM gateway internal error: ${(e as Error).message}`);
    if (error.type === 'budget_exceeded') record.outcome = 'refused';
    record.error = error.message;
    answer = { status: error.status, body: error.body() };
  }
  record.status = answer.status;
  record.latencyMs = Math.round(performance.now() - started);
  answer = { status: answer.status, body: redactSecret(answer.body, ctx.secret) };
  // Logged before answering, so once an agent holds a response its record exists.
  await ctx.callLog?.append(redactSecret(record, ctx.secret)).catch(ctx.onLogError);
  return answer;
}

async function answerChat(
  ctx: ChatCallContext,
  raw: unknown,
  roleHeader: string | undefined,
  record: CallRecord,
  /** The call's start (performance.now()), which `record.latencyMs` and `budgetAtMs` count from. */
  started: number,
): Promise<ChatAnswer> {
  const body = parseBody(raw);
  const role = resolveRole(ctx, body, roleHeader);
  const hash = requestHash(role, body);
  Object.assign(record, { role, requestHash: hash });

  if (ctx.replay) {
    const recorded = await ctx.replay.source.next(hash);
    if (recorded) {
      Object.assign(record, {
        outcome: 'replay',
        request: raw,
        response: recorded,
        usage: usageOf(recorded),
      });
      return { status: 200, body: recorded };
    }
    if (ctx.replay.onMiss === 'error') {
      throw new GatewayError(404, `replay: no recorded response for request hash ${hash}`, 'replay_miss');
    }
  }

  if (!ctx.upstream) throw new GatewayError(503, NO_ENDPOINT_MESSAGE, 'no_llm_endpoint');
  const model = ctx.upstream.models[role];
  record.model = model;
  const forwarded = forwardedBody(ctx, body, model);
  let reservation: Reservation | undefined;
  try {
    reservation = await reserve(ctx, model, forwarded);
  } finally {
    record.budgetAtMs = Math.round(performance.now() - started);
  }
  record.request = raw;

  const client = ctx.upstream.client;
  const outcome = await withRetries(
    () => client.complete(forwarded, ctx.signal),
    classifyUpstreamError,
    ctx.retryPolicy,
    ctx.retryDeps,
  );
  record.attempts = outcome.attempts;
  if (!outcome.result) {
    // Failed attempts are not billed by OpenAI-compatible servers: free the reservation.
    if (reservation) ctx.budget?.release(reservation);
    const failure = describeUpstreamFailure(outcome.error, outcome.attempts);
    throw new GatewayError(failure.status, failure.message, 'upstream_error');
  }

  const completion = outcome.result;
  const reported = hasUsage(completion);
  const usage = reported ? usageOf(completion) : estimatedUsage(body, completion);
  const cost = costUsd(ctx.prices, model, usage) ?? 0;
  if (reservation) {
    ctx.budget?.settle(reservation, { usd: cost, tokens: usage.promptTokens + usage.completionTokens });
  }
  Object.assign(record, { outcome: 'upstream', response: completion, usage, costUsd: cost });
  if (!reported) record.usageEstimated = true;
  return { status: 200, body: completion };
}

function parseBody(raw: unknown): ChatBody {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const unknown = Object.keys(raw).filter((k) => !FORWARDED_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new GatewayError(
        400,
        `unsupported request key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: ` +
          `the LLM gateway forwards only ${FORWARDED_KEYS.join(', ')}`,
        'invalid_request_error',
      );
    }
  }
  const parsed = chatBodySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new GatewayError(
      400,
      `invalid chat request: ${where}${issue?.message ?? 'bad body'}`,
      'invalid_request_error',
    );
  }
  if (parsed.data.stream) {
    throw new GatewayError(
      400,
      'streaming is not supported by the LLM gateway; omit `stream`',
      'invalid_request_error',
    );
  }
  return parsed.data;
}

/**
 * The header wins; else the model field names the role. Real model names are the gateway's
 * business, and which roles a session may use is the host's: another role is refused and reported.
 */
function resolveRole(ctx: ChatCallContext, body: ChatBody, header: string | undefined): Role {
  const claimed = header ?? body.model;
  if (!ROLES.includes(claimed as Role)) {
    throw new GatewayError(
      400,
      `unknown role ${JSON.stringify(claimed ?? null)}: set model to "meta" or "task" ` +
        `(or the ${ROLE_HEADER} header); the gateway maps roles to real models`,
      'invalid_request_error',
    );
  }
  const role = claimed as Role;
  if (!ctx.roles.includes(role)) {
    const message = `role "${role}" is not allowed in this session (it may use ${ctx.roles.map((r) => `"${r}"`).join(', ')})`;
    ctx.onViolation(message);
    throw new GatewayError(403, message, 'forbidden_role');
  }
  return role;
}

/**
 * What goes upstream: the checked keys, the real model, one choice, and a completion limit no
 * larger than the configured maximum (exactly it when the request names none), so the
 * reservation is an upper bound of the completion's cost.
 */
function forwardedBody(ctx: ChatCallContext, body: ChatBody, model: string): ChatBody & { model: string } {
  const { n: _n, stream: _stream, max_tokens, max_completion_tokens, ...rest } = body;
  const cap = ctx.maxCompletionTokens;
  if (max_completion_tokens !== undefined) {
    return { ...rest, model, max_completion_tokens: Math.min(max_completion_tokens, max_tokens ?? cap, cap) };
  }
  return { ...rest, model, max_tokens: Math.min(max_tokens ?? cap, cap) };
}

async function reserve(
  ctx: ChatCallContext,
  model: string,
  body: ChatBody,
): Promise<Reservation | undefined> {
  if (!ctx.budget) return undefined;
  const estimate: TokenUsage = {
    promptTokens: estimateTokens(JSON.stringify([body.messages, body.tools ?? null])),
    completionTokens: body.max_completion_tokens ?? body.max_tokens ?? ctx.maxCompletionTokens,
  };
  const usd = costUsd(ctx.prices, model, estimate);
  if (usd === undefined && ctx.budget.snapshot().limits.usd !== undefined) {
    throw new GatewayError(
      500,
      `model ${model} has no price in the price table: the run's USD budget cannot be enforced`,
      'no_price',
    );
  }
  const result = await ctx.budget.reserveWhenRoom(
    { usd: usd ?? 0, tokens: estimate.promptTokens + estimate.completionTokens },
    ctx.signal,
  );
  if (isRefusal(result)) throw new GatewayError(402, result.message, 'budget_exceeded');
  return result;
}

function hasUsage(completion: Completion): boolean {
  return (
    typeof completion.usage?.prompt_tokens === 'number' &&
    typeof completion.usage.completion_tokens === 'number'
  );
}

function usageOf(completion: Completion): TokenUsage {
  return {
    promptTokens: completion.usage?.prompt_tokens ?? 0,
    completionTokens: completion.usage?.completion_tokens ?? 0,
  };
}

/** For upstreams that omit `usage`: count text, so the budget still moves. */
function estimatedUsage(body: ChatBody, completion: Completion): TokenUsage {
  return {
    promptTokens: estimateTokens(JSON.stringify([body.messages, body.tools ?? null])),
    completionTokens: estimateTokens(JSON.stringify(completion.choices)),
  };
}

/** Bytes of a request kept in the digest that stands for it in the log when it is not forwarded. */
export const DIGEST_HEAD_BYTES = 256;

/** sha256, size and first bytes of a request body: what the log keeps of a call not forwarded. */
export function requestDigest(bytes: Buffer): { digest: { sha256: string; bytes: number; head: string } } {
  return {
    digest: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      head: bytes.subarray(0, DIGEST_HEAD_BYTES).toString('utf8'),
    },
  };
}
