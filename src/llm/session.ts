import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LLM_SOCKET_NAME } from '../sandbox/paths';
import type { ObjectStore } from '../storage';
import { BudgetLedger, type BudgetLimits } from './budget';
import { LlmGateway, upstreamFromConfig } from './gateway';
import { ObjectStoreCallLog, readCallLog } from './objectStoreCallLog';
import { replaySourceFromRecords, type ReplaySource } from './replay';
import { TallyingCallLog, type CallTally } from './call-log';
import type { PriceTable } from './pricing';

export interface GatewaySession {
  /** Host folder with the socket, mounted read-only into the sandbox. */
  socketDir: string;
  /** What this session's calls cost. */
  spent: () => { usd: number; tokens: number };
  /** How its calls ended, counted on the host (the program cannot alter it). */
  calls: () => CallTally;
  close: () => Promise<void>;
}

/**
 * Starts a gateway for one sandbox session when an endpoint is configured; undefined otherwise
 * (the program then sees no LLM and its offline strategy runs).
 */
export async function openGatewaySession(opts: {
  llm: { baseUrl?: string; apiKey?: string; metaModel: string; taskModel: string };
  prices?: PriceTable;
  /** What the run has left: the session's calls are refused beyond it. */
  budgetLeft: BudgetLimits;
  store: ObjectStore;
  runId: string;
  nodeId: string;
  purpose: string;
  /** Answer from the calls this node recorded in another run (a reproducible rerun). */
  replayRun?: string;
}): Promise<GatewaySession | undefined> {
  const upstream = upstreamFromConfig(opts.llm);
  const replay = opts.replayRun ? await recordedCalls(opts.store, opts.replayRun, opts.nodeId) : undefined;
  if (!upstream && !replay) return undefined;
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-llm-'));
  fs.chmodSync(socketDir, 0o755);
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
  });
  await gateway.start();
  return {
    socketDir,
    calls: () => tally.tally(),
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
