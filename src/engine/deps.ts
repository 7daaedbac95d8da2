import type { Archive } from '../archive';
import type { DomainCatalog } from '../domains';
import type { GatewaySession, Spend } from '../llm';
import type { Sandbox, SandboxLimits } from '../sandbox';
import type { BudgetLeft } from './types';

/** One LLM gateway session for one sandbox session, metered against what the run has left. */
export interface LlmSessionRequest {
  runId: string;
  /** A node id, or a label such as `hyperagents eval`'s program folder name. */
  nodeId: string;
  purpose: string;
  budgetLeft: BudgetLeft;
  /** Answer from the calls this node recorded in that run (a reproducible rerun). */
  replayRun?: string;
}

/** Opens a gateway session; undefined when no endpoint (and no replay) is configured. */
export type OpenLlmSession = (request: LlmSessionRequest) => Promise<GatewaySession | undefined>;

/**
 * What the engine's services need from the world, as small interfaces: the node store, the
 * sandbox, the LLM session factory and the domain catalogue. `src/wiring` builds it from the
 * config for the worker, the CLI and the benches; tests can build it from anything.
 */
export interface EngineDeps {
  archive: Archive;
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
  domains: DomainCatalog;
  openLlmSession: OpenLlmSession;
  /** What a node's recorded LLM calls cost (the call logs), counting those whose purpose passes `include`. */
  recordedSpend: (runId: string, nodeId: string, include: (purpose: string) => boolean) => Promise<Spend>;
}
