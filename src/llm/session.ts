import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LLM_SOCKET_NAME } from '../sandbox/paths';
import type { ObjectStore } from '../storage';
import { BudgetLedger, type BudgetLimits } from './budget';
import { type GatewayLimits, type GatewayRefusals, LlmGateway, upstreamFromConfig } from './gateway';
import { ObjectStoreCallLog, readCallLog } from './objectStoreCallLog';
import { replaySourceFromRecords, type ReplaySource } from './replay';
import { TallyingCallLog, type CallTally } from './call-log';
import type { PriceTable } from './pricing';
import type { RetryPolicy } from './retry';
import type { Role } from './types';

export interface GatewaySession {
  /** Host folder with the socket, mounted read-only into the sandbox. */
  socketDir: string;
  /** What this session's calls cost. */
  spent: () => { usd: number; tokens: number };
  /** How its calls ended, counted on the host (the program cannot alter it). */
  calls: () => CallTally;
  /**
   * The first rule the program broke through the gateway (a role the session may not use, the
   * call log's quota), if any: the caller classifies such a session as `policy`.
   */
  violation: () => string | undefined;
  /** Aborted when the program breaks such a rule, to end its sandbox session early. */
  violated: AbortSignal;
  /** Requests the gateway refused for what the program did to it, by reason. */
  refusals: () => GatewayRefusals;
  close: () => Promise<void>;
}

/** What a session is opened for decides its role: the meta agent's session, or a task agent's. */
export function rolesForPurpose(purpose: string): readonly Role[] {
  return purpose === 'selfModify' ? ['meta'] : ['task'];
}

/**
 * Starts a gateway for one sandbox session when an endpoint is configured; undefined otherwise
 * (the program then sees no LLM and its offline strategy runs).
 */
export async function openGatewaySession(opts: {
  llm: {
    baseUrl?: string;
    apiKey?: string;
    metaModel: string;
    taskModel: string;
    maxCompletionTokens?: number;
    /** Per attempt; a hung endpoint is cut then and retried (default 600 s, the client's). */
    requestTimeoutSec?: number;
    /** How failed attempts are retried (`llm.retry`; default DEFAULT_RETRY_POLICY). */
    retry?: Partial<RetryPolicy>;
  };
  prices?: PriceTable;
  /** What the run has left: the session's calls are refused beyond it. */
  budgetLeft: BudgetLimits;
  store: ObjectStore;
  runId: string;
  nodeId: string;
  purpose: string;
  /** Answer from the calls this node recorded in another run (a reproducible rerun). */
  replayRun?: string;
  /** Test hook: tighter limits than the defaults. */
  limits?: Partial<GatewayLimits>;
}): Promise<GatewaySession | undefined> {
  const upstream = upstreamFromConfig(opts.llm);
  const replay = opts.replayRun ? await recordedCalls(opts.store, opts.replayRun, opts.nodeId) : undefined;
  if (!upstream && !replay) return undefined;
  // Private to the worker; the sandbox user may only pass through it (bwrap resolves the bind
  // source as that user) to the socket, which only it may connect to.
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-llm-'));
  fs.chmodSync(socketDir, 0o711);
  const violated = new AbortController();
  const budget = new BudgetLedger({ ...opts.budgetLeft });
  const tally = new TallyingCallLog(new ObjectStoreCallLog(opts.store, opts.runId, opts.nodeId));
  const gateway = new LlmGateway({
    socketPath: path.join(socketDir, LLM_SOCKET_NAME),
    upstream,
    ...(replay
      ? { replay: { source: replay, onMiss: upstream ? ('upstream' as const) : ('error' as const) } }
      : {}),
    prices: opts.prices,
    budget,
    callLog: tally,
    session: { runId: opts.runId, nodeId: opts.nodeId, purpose: opts.purpose },
    roles: rolesForPurpose(opts.purpose),
    ...(opts.llm.retry ? { retry: opts.llm.retry } : {}),
    ...(opts.llm.maxCompletionTokens !== undefined
      ? { maxCompletionTokens: opts.llm.maxCompletionTokens }
      : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    onViolation: (what) => violated.abort(new Error(`LLM gateway: ${what}`)),
  });
  await gateway.start();
  return {
    socketDir,
    calls: () => tally.tally(),
    violation: () => gateway.violation(),
    violated: violated.signal,
    refusals: () => gateway.refusals(),
    spent: () => {
      const s = budget.snapshot().spent;
      return { usd: s.usd, tokens: s.tokens };
    },
    close: async () => {
      await gateway.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** The calls a node of an earlier run made, in the order they were made, as a replay source. */
async function recordedCalls(store: ObjectStore, runId: string, nodeId: string): Promise<ReplaySource> {
  return replaySourceFromRecords(await readCallLog(store, runId, nodeId));
}
