import type { Completion, Role, SessionInfo, TokenUsage } from './types';

/**
 * How a call ended: answered by the upstream, answered from a recording, refused by the budget,
 * or failed (bad request, upstream error after retries, no endpoint).
 */
export type CallOutcome = 'upstream' | 'replay' | 'refused' | 'error';

/** One line of the LLM call log. Never contains the API key. */
export interface CallRecord extends SessionInfo {
  /** Unique per gateway process: `<gateway id>-<sequence>`. */
  id: string;
  startedAt: string;
  role?: Role;
  /** Upstream model name the role mapped to. */
  model?: string;
  requestHash?: string;
  request: unknown;
  response?: Completion;
  outcome: CallOutcome;
  /** HTTP status the gateway answered the sandbox with. */
  status: number;
  error?: string;
  usage: TokenUsage;
  /** True when the upstream gave no `usage` and the gateway estimated it from text length. */
  usageEstimated?: boolean;
  costUsd: number;
  latencyMs: number;
  attempts: number;
}

/** Where call records go; the S3 implementation lives with storage. */
export interface CallLog {
  append(record: CallRecord): Promise<void>;
}

export class InMemoryCallLog implements CallLog {
  readonly records: CallRecord[] = [];

  async append(record: CallRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }
}
