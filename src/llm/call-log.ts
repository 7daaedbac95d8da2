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
  /**
   * When, in ms from the call's start, the budget decided on it: its reservation or its refusal,
   * after any wait for calls in flight to settle (absent: it never reached the budget).
   */
  budgetAtMs?: number;
  attempts: number;
}

/** Where call records go; the S3 implementation lives with storage. */
export interface CallLog {
  append(record: CallRecord): Promise<void>;
}

/** How a session's calls ended, by outcome, with the first refusal's and failure's message. */
export interface CallTally {
  readonly byOutcome: Readonly<Record<CallOutcome, number>>;
  readonly firstRefusal?: string;
  readonly firstError?: string;
}

/** A call log that counts outcomes on the host as records pass through to `inner`. */
export class TallyingCallLog implements CallLog {
  private readonly counts: Record<CallOutcome, number> = { upstream: 0, replay: 0, refused: 0, error: 0 };
  private firstRefusal?: string;
  private firstError?: string;

  constructor(private readonly inner: CallLog) {}

  append(record: CallRecord): Promise<void> {
    this.counts[record.outcome] += 1;
    if (record.outcome === 'refused') this.firstRefusal ??= record.error ?? 'refused by the budget';
    if (record.outcome === 'error') this.firstError ??= record.error ?? 'failed';
    return this.inner.append(record);
  }

  tally(): CallTally {
    return {
      byOutcome: { ...this.counts },
      ...(this.firstRefusal !== undefined ? { firstRefusal: this.firstRefusal } : {}),
      ...(this.firstError !== undefined ? { firstError: this.firstError } : {}),
    };
  }
}

export class InMemoryCallLog implements CallLog {
  readonly records: CallRecord[] = [];

  async append(record: CallRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }
}
