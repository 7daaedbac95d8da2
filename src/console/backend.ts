import type { NodeRecord } from '../archive';
import type { RunStatus } from '../engine';
import type { CallRecord } from '../llm';
import type { GenerationProgress } from '../report/progress';
import type { Decision, RunListing } from '../wiring/runOps';

/**
 * What the console reads and does, as one interface: src/wiring/consoleBackend.ts implements it on
 * Temporal and S3 (through the same run operations the CLI uses), tests on fixtures. The console
 * itself never reaches a workflow, the archive or S3 but through it.
 */
export interface ConsoleBackend {
  /** Evolution runs, newest first; at most `limit`. */
  listRuns(limit: number): Promise<RunListing[]>;
  /** What `hyperagents status` shows; `live`: the run still runs. */
  runStatus(runId: string): Promise<{ status: RunStatus; live: boolean }>;
  /**
   * What the run's running generations are doing now (their pending activities, as `status --watch`
   * reads them); a generation that cannot be described is left out.
   */
  progress(runId: string, generations: readonly number[]): Promise<GenerationProgress[]>;
  /** Every node record of the run. */
  nodes(runId: string): Promise<NodeRecord[]>;
  /** The unified diff from node `base` to node `nodeId` (as `hyperagents diff` prints it). */
  diff(runId: string, base: string, nodeId: string): Promise<{ patch: string; wholeFile: string[] }>;
  /** One file of a node's program (the meta agent's notes), absent when the program has none. */
  programFile(runId: string, nodeId: string, path: string): Promise<string | undefined>;
  /** The LLM calls of the session that made the node, in order. */
  callLog(runId: string, nodeId: string): Promise<CallRecord[]>;
  /** The approve/reject update, exactly as `hyperagents approve|reject` sends it; throws DecisionRefused. */
  decide(decision: Decision): Promise<string>;
  /** The Temporal Web UI page of a workflow (a run, or `<run>/gen-00042`), when a UI is configured. */
  uiLink(workflowId?: string): string | undefined;
  /** Promotes an approved node to a release (src/engine/promote.ts); a refusal throws PromotionRefused. */
  promote: PromoteAction;
}

/** Promotes an approved node to releases/ (held-out test and checks first); resolves to a message. */
export type PromoteAction = (request: { runId: string; nodeId: string; reviewer: string }) => Promise<string>;
