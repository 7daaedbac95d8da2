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
  /** Completion tokens reserved when the request sets no max_tokens. */
  defaultCompletionTokens: number;
  secret?: string;
  signal: AbortSignal;
  newCallId: () => string;
  onLogError: (error: unknown) => void;
}

export interface ChatAnswer {
  status: number;
  body: unknown;
}

const chatBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.unknown()).min(1, 'messages must be a non-empty array'),
  tools: z.array(z.unknown()).optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stream: z.boolean().optional(),
});

/**
 * One `POST /v1/chat/completions`: validate, resolve the role, answer from a recording when
 * replaying, else reserve budget, call the upstream with retries, meter, settle, and log. Every
 * path, refusals and errors included, produces exactly one log record.
 */
export async function handleChatCall(
  ctx: ChatCallContext,
  raw: unknown,
  roleHeader?: string,
): Promise<ChatAnswer> {
  const started = performance.now();
  const record: CallRecord = {
    id: ctx.newCallId(),
    startedAt: new Date().toISOString(),
    ...ctx.session,
    request: raw,
    outcome: 'error',
    status: 500,
    usage: { promptTokens: 0, completionTokens: 0 },
    costUsd: 0,
    latencyMs: 0,
    attempts: 0,
  };
  let answer: ChatAnswer;
  try {
    answer = await answerChat(ctx, raw, roleHeader, record);
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
): Promise<ChatAnswer> {
  const body = parseBody(raw);
  const role = resolveRole(body, roleHeader);
  const hash = requestHash(role, body);
  Object.assign(record, { role, requestHash: hash });

  if (ctx.replay) {
    const recorded = await ctx.replay.source.next(hash);
    if (recorded) {
      Object.assign(record, { outcome: 'replay', response: recorded, usage: usageOf(recorded) });
      return { status: 200, body: recorded };
    }
    if (ctx.replay.onMiss === 'error') {
      throw new GatewayError(404, `replay: no recorded response for request hash ${hash}`, 'replay_miss');
    }
  }

  if (!ctx.upstream) throw new GatewayError(503, NO_ENDPOINT_MESSAGE, 'no_llm_endpoint');
  const model = ctx.upstream.models[role];
  record.model = model;
  const reservation = reserve(ctx, model, body);

  const client = ctx.upstream.client;
  const outcome = await withRetries(
    () => client.complete({ ...body, model }, ctx.signal),
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

/** The header wins; else the model field names the role. Real model names are the gateway's business. */
function resolveRole(body: ChatBody, header: string | undefined): Role {
  const claimed = header ?? body.model;
  if (ROLES.includes(claimed as Role)) return claimed as Role;
  throw new GatewayError(
    400,
    `unknown role ${JSON.stringify(claimed ?? null)}: set model to "meta" or "task" ` +
      `(or the ${ROLE_HEADER} header); the gateway maps roles to real models`,
    'invalid_request_error',
  );
}

function reserve(ctx: ChatCallContext, model: string, body: ChatBody): Reservation | undefined {
  if (!ctx.budget) return undefined;
  const estimate: TokenUsage = {
    promptTokens: estimateTokens(JSON.stringify([body.messages, body.tools ?? null])),
    completionTokens: body.max_completion_tokens ?? body.max_tokens ?? ctx.defaultCompletionTokens,
  };
  const usd = costUsd(ctx.prices, model, estimate);
  if (usd === undefined && ctx.budget.snapshot().limits.usd !== undefined) {
    throw new GatewayError(
      500,
      `model ${model} has no price in the price table: the run's USD budget cannot be enforced`,
      'no_price',
    );
  }
  const result = ctx.budget.reserve({
    usd: usd ?? 0,
    tokens: estimate.promptTokens + estimate.completionTokens,
  });
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
