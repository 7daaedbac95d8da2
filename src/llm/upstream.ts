import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { AttemptFailure } from './retry';
import type { ChatBody, Completion, Role } from './types';

/** The configured OpenAI-compatible endpoint. The key lives here and nowhere the sandbox can see. */
export interface UpstreamConfig {
  baseUrl: string;
  /** Optional: local servers (Ollama, llama.cpp, vLLM) often need none. */
  apiKey?: string;
  /** Real model name for each role. */
  models: Record<Role, string>;
  /** Per attempt; a hung upstream becomes a retryable timeout. */
  timeoutMs?: number;
}

/** One attempt at a completion; retries happen around it. */
export interface Upstream {
  complete(body: ChatBody & { model: string }, signal: AbortSignal): Promise<Completion>;
}

/** Thrown when the upstream answered 200 with something that is not a chat completion. */
export class InvalidUpstreamResponse extends Error {
  override name = 'InvalidUpstreamResponse';
}

export function openAIUpstream(config: UpstreamConfig): Upstream {
  const client = new OpenAI({
    baseURL: config.baseUrl,
    // The client refuses to start without a key and would otherwise read OPENAI_API_KEY.
    apiKey: config.apiKey || 'no-key',
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: config.timeoutMs ?? 600_000,
  });
  return {
    async complete(body, signal) {
      let result: unknown;
      // The client never removes its listener from the signal it is given, and the gateway's
      // signal lives as long as the gateway: hand it a per-attempt signal, unlinked afterwards.
      const attempt = new AbortController();
      const abort = () => attempt.abort();
      signal.addEventListener('abort', abort, { once: true });
      if (signal.aborted) attempt.abort();
      try {
        const params = { ...body, stream: false } as ChatCompletionCreateParamsNonStreaming;
        result = await client.chat.completions.create(params, { signal: attempt.signal });
      } catch (e) {
        // By name: the error comes from fetch's JSON parser, possibly another realm's SyntaxError.
        if ((e as Error)?.name === 'SyntaxError') {
          throw new InvalidUpstreamResponse(`body is not JSON (${(e as Error).message})`);
        }
        throw e;
      } finally {
        signal.removeEventListener('abort', abort);
      }
      if (!isCompletion(result)) throw new InvalidUpstreamResponse('body is not a chat completion');
      return result;
    },
  };
}

function isCompletion(value: unknown): value is Completion {
  return typeof value === 'object' && value !== null && Array.isArray((value as Completion).choices);
}

/** 429, 408 and 5xx are worth another try, as are dropped or timed-out connections. */
export function classifyUpstreamError(error: unknown): AttemptFailure {
  if (error instanceof OpenAI.APIUserAbortError) return { retryable: false };
  if (error instanceof OpenAI.APIConnectionError) return { retryable: true };
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const s = error.status;
    return {
      retryable: s === 408 || s === 429 || s >= 500,
      hintMs: retryAfterMs(error.headers as Headers | undefined),
    };
  }
  return { retryable: false };
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const s = Number(headers?.get('retry-after') ?? NaN);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

/** What the sandbox is told when the upstream could not answer. */
export function describeUpstreamFailure(
  error: unknown,
  attempts: number,
): { status: number; message: string } {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  if (error instanceof OpenAI.APIUserAbortError) {
    return { status: 503, message: 'the LLM gateway is shutting down' };
  }
  if (error instanceof InvalidUpstreamResponse) {
    return { status: 502, message: `upstream LLM endpoint returned an invalid response: ${error.message}` };
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return { status: 502, message: `upstream LLM endpoint unreachable after ${tries}: ${error.message}` };
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    if (classifyUpstreamError(error).retryable) {
      return { status: 502, message: `upstream LLM endpoint failed after ${tries}: ${error.message}` };
    }
    // The request itself was refused (bad parameters, unknown model): pass the status through.
    return { status: error.status, message: `upstream LLM endpoint refused the request: ${error.message}` };
  }
  return { status: 502, message: `upstream LLM call failed: ${(error as Error)?.message ?? String(error)}` };
}
