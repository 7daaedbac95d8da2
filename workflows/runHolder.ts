import {
  ApplicationFailure,
  condition,
  patched,
  rootCause,
  setCurrentDetails,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { nodeIdFor } from '../src/archive/keys';
import {
  applyDecision,
  archiveViewFor,
  budgetLeft,
  budgetProblem,
  generationAllowance,
  recordFailedGeneration,
  canStartGeneration,
  decisionProblem,
  initialState,
  recordGeneration,
  recordHeldOut,
  stopReason,
  withArchiveLog,
  type BudgetChange,
} from '../src/engine/runState';
import type {
  BudgetLeft,
  GenerationResult,
  RunConfig,
  RunState,
  RunStatus,
  TaskQueues,
} from '../src/engine/types';
import { heldOutTestOptions, recordOptions } from './activityOptions';
import { generationWorkflow } from './generation';
import {
  ARCHIVE_LOG_PATCH,
  GENERATION_METADATA_PATCH,
  QUIET_PUBLISH_PATCH,
  RUN_WIDE_BUDGET_PATCH,
} from './patches';
import { searchAttributes } from './searchAttributes';
import { generationDetails, generationSummary, genLabel, runDetails, shortNode } from './summaries';
import { routedActivities } from './taskQueues';

export interface EvolutionRunInput {
  runId: string;
  config: RunConfig;
  /** Carried across continue-as-new. */
  state?: RunState;
  /**
   * The task queue of each kind of work (the starting client's `temporal.queues`), carried across
   * continue-as-new; absent: every activity on the run's own queue.
   */
  queues?: TaskQueues;
}

export function generationId(runId: string, generation: number): string {
  return `${runId}/${nodeIdFor(generation)}`;
}

interface Finished {
  generation: number;
  result?: GenerationResult;
  error?: string;
  /** What a failed generation's LLM calls cost, from the call logs. */
  spent?: { costUsd: number; tokens: number };
}

/**
 * The small state an evolution keeps (`RunState`, carried across continue-as-new), the generations
 * in flight, and what the run's message handlers do to them. The workflow function wires it up.
 */
export class RunHolder {
  readonly runId: string;
  readonly config: RunConfig;
  readonly queues?: TaskQueues;
  state: RunState;
  readonly running = new Set<number>();
  readonly finished: Finished[] = [];
  private startedThisRun = 0;
  /** What each generation in flight may spend (its share of the run's budget). */
  private readonly allowances = new Map<number, BudgetLeft>();
  /**
   * Decisions whose record is being written: the state changes only after that activity, so without
   * this a second update arriving meanwhile (approve and reject at once) would pass the validator too.
   */
  private readonly deciding = new Map<string, 'approved' | 'rejected'>();
  /** Set by a budget change, so the main loop re-reads its limits at once. */
  private nudged = false;
  private lastAttributes?: string;
  private lastMemo?: string;
  /**
   * Generations start with the run's search attributes and a summary, and activities carry
   * summaries (GENERATION_METADATA_PATCH); false when replaying a history recorded before it.
   */
  private readonly tagged: boolean;

  constructor(input: EvolutionRunInput) {
    this.runId = input.runId;
    this.config = input.config;
    if (input.queues) this.queues = input.queues;
    this.state = input.state ?? initialState(input.runId, input.config, Date.now());
    if (!this.state.archive && patched(ARCHIVE_LOG_PATCH)) this.state = withArchiveLog(this.state, uuid4());
    this.tagged = patched(GENERATION_METADATA_PATCH);
  }

  /** Activity options with a summary, in runs that give them one. */
  private described(options: ActivityOptions, summary: string): ActivityOptions {
    return this.tagged ? { ...options, summary } : options;
  }

  /** The run's current details (what it does now) for the Temporal UI: no command, nothing recorded. */
  private describeNow(): void {
    setCurrentDetails(runDetails(this.state, this.config, [...this.running]));
  }

  status(): RunStatus {
    // The archive log is for the workers' caches, not for people.
    const { archive: _log, ...state } = this.state;
    return {
      ...state,
      method: this.config.method,
      domains: this.config.domains,
      running: [...this.running],
    };
  }

  get idle(): boolean {
    return this.running.size === 0;
  }

  // ---- messages ---------------------------------------------------------------------------------

  setPaused(paused: boolean): void {
    this.state = { ...this.state, paused };
    this.publish();
  }

  validateDecision(nodeId: string): void {
    const inFlight = this.deciding.get(nodeId);
    if (inFlight) throw new Error(`node ${nodeId} is already being ${inFlight}`);
    const problem = decisionProblem(this.state, nodeId);
    if (problem) throw new Error(problem);
  }

  async decide(
    nodeId: string,
    decision: 'approved' | 'rejected',
    note?: string,
    reviewer?: string,
  ): Promise<string> {
    // Checked again here, before the first await: the handler, not the validator, claims the node.
    this.validateDecision(nodeId);
    this.deciding.set(nodeId, decision);
    try {
      const summary = `${decision === 'approved' ? 'approve' : 'reject'} ${shortNode(nodeId)}`;
      await routedActivities(this.described(recordOptions, summary), this.queues).decideApproval({
        runId: this.runId,
        nodeId,
        decision,
        note,
        // Only when given: the activity input of updates sent without one stays as it was.
        ...(reviewer !== undefined ? { reviewer } : {}),
      });
    } finally {
      this.deciding.delete(nodeId);
    }
    this.state = applyDecision(this.state, nodeId, decision);
    this.publish();
    return `${nodeId} ${decision}`;
  }

  validateBudget(change: BudgetChange): void {
    const problem = budgetProblem(change, this.state);
    if (problem) throw new Error(problem);
  }

  setBudget(change: BudgetChange): RunState['budget'] {
    this.state = { ...this.state, budget: { ...this.state.budget, ...change }, stopReason: undefined };
    this.nudged = true;
    return this.state.budget;
  }

  // ---- the Temporal UI's view -------------------------------------------------------------------

  /** Search attributes and memo from the state; with the patch, only the values that changed. */
  publish(): void {
    const s = this.state;
    const label = s.stopReason
      ? s.pending.length > 0
        ? 'awaiting-approval'
        : 'completed'
      : s.paused
        ? 'paused'
        : 'running';
    const attributes = [
      { key: searchAttributes.runId, value: this.runId },
      { key: searchAttributes.generation, value: s.generationsDone },
      { key: searchAttributes.status, value: label },
      { key: searchAttributes.domains, value: this.config.domains },
      ...(s.bestScore !== undefined ? [{ key: searchAttributes.bestScore, value: s.bestScore }] : []),
    ];
    const memo = {
      method: this.config.method,
      bestNodeId: s.bestNodeId ?? null,
      pendingApprovals: s.pending.length,
      stopReason: s.stopReason ?? null,
    };
    const quiet = patched(QUIET_PUBLISH_PATCH);
    const attributesText = JSON.stringify(attributes.map((a) => [a.key.name, a.value]));
    if (!quiet || attributesText !== this.lastAttributes) upsertSearchAttributes(attributes);
    const memoText = JSON.stringify(memo);
    if (!quiet || memoText !== this.lastMemo) upsertMemo(memo);
    this.lastAttributes = attributesText;
    this.lastMemo = memoText;
    this.describeNow();
  }

  // ---- generations ------------------------------------------------------------------------------

  private launch(generation: number): void {
    const shared = patched(RUN_WIDE_BUDGET_PATCH);
    const allowance = shared
      ? generationAllowance(this.state, [...this.allowances.values()], this.config.parallelism)
      : budgetLeft(this.state);
    this.allowances.set(generation, allowance);
    this.running.add(generation);
    if (generation > 0) this.startedThisRun += 1;
    const generationsLeft = this.state.budget.generations - generation;
    startChild(generationWorkflow, {
      workflowId: generationId(this.runId, generation),
      // One query, HyperagentsRunId = "<run>", lists the run and its generations.
      ...(this.tagged
        ? {
            typedSearchAttributes: [
              { key: searchAttributes.runId, value: this.runId },
              { key: searchAttributes.generation, value: generation },
              { key: searchAttributes.status, value: 'running' },
              { key: searchAttributes.domains, value: this.config.domains },
            ],
            staticSummary: generationSummary(this.runId, generation, this.config),
            staticDetails: generationDetails(this.runId, generation, this.config, {
              bestScore: this.state.bestScore,
              bestNodeId: this.state.bestNodeId,
              generationsLeft,
              budgetUsd: allowance.usd,
            }),
          }
        : {}),
      args: [
        {
          runId: this.runId,
          generation,
          config: this.config,
          budgetLeft: allowance,
          bestScore: this.state.bestScore,
          generationsLeft,
          archive: archiveViewFor(this.state, generation, this.running),
          ...(this.queues ? { queues: this.queues } : {}),
        },
      ],
    })
      .then((child) => child.result())
      .then(
        (result) => {
          // Same callback as the push: no later microtask can leave `running` stale for a condition.
          this.allowances.delete(generation);
          this.running.delete(generation);
          this.finished.push({ generation, result });
          this.describeNow();
        },
        async (err: unknown) => {
          // A failed generation spent too: count what its calls cost before it is done.
          const spent = shared
            ? await routedActivities(
                this.described(recordOptions, `${genLabel(generation)} failed: spend from the call logs`),
                this.queues,
              ).recordedSpend({
                runId: this.runId,
                nodeId: nodeIdFor(generation),
                scope: 'generation',
              })
            : undefined;
          this.allowances.delete(generation);
          this.running.delete(generation);
          this.finished.push({ generation, error: rootCause(err) ?? String(err), spent });
          this.describeNow();
        },
      );
    this.describeNow();
  }

  /** Generation 0 archives and evaluates the start program; it does not count against the budget. */
  async startNode(): Promise<void> {
    this.launch(0);
    await condition(() => this.finished.length > 0);
    const start = this.finished.shift()!;
    if (!start.result) throw ApplicationFailure.nonRetryable(`the start node failed: ${start.error}`);
    const counted = recordGeneration(this.state, start.result);
    this.state = {
      ...counted,
      generationsDone: this.state.generationsDone,
      startNodeId: start.result.nodeId,
    };
    this.publish();
  }

  wantContinueAsNew(): boolean {
    return this.startedThisRun >= this.config.continueAsNewEvery || workflowInfo().continueAsNewSuggested;
  }

  private canStart(): boolean {
    return (
      !this.wantContinueAsNew() && canStartGeneration(this.state, this.running.size, this.config.parallelism)
    );
  }

  /** Until a generation finishes, one can start, the run is idle, or (under a wall-clock budget) time is up. */
  async waitForWork(): Promise<void> {
    const woke = () => this.finished.length > 0 || this.nudged || this.canStart() || this.idle;
    const hours = this.state.budget.wallClockHours;
    if (hours === undefined) await condition(woke);
    else if (!patched(QUIET_PUBLISH_PATCH)) await condition(woke, '1 minute');
    else await condition(woke, Math.max(1, this.state.startedAtMs + hours * 3_600_000 - Date.now()));
    this.nudged = false;
  }

  /** Folds finished generations into the state and decides whether the run must stop. */
  collect(): void {
    for (const f of this.finished.splice(0)) {
      this.state = f.result
        ? recordGeneration(this.state, f.result)
        : recordFailedGeneration(this.state, f.spent);
    }
    this.state = { ...this.state, stopReason: this.state.stopReason ?? stopReason(this.state, Date.now()) };
    this.publish();
  }

  startGenerations(): void {
    while (this.canStart()) {
      const generation = this.state.generationsStarted + 1;
      this.state = { ...this.state, generationsStarted: generation };
      this.launch(generation);
    }
  }

  /** The run ends only when every node it holds for a person has been decided. */
  async awaitDecisions(): Promise<void> {
    if (this.state.pending.length === 0) return;
    this.publish();
    await condition(() => this.state.pending.length === 0);
  }

  /** The start node and the best on the held-out test split; for a transfer run, imp@k. */
  async heldOutTest(): Promise<void> {
    if (!this.config.testAtEnd || !this.state.bestNodeId) return;
    const start = this.state.startNodeId ?? nodeIdFor(0);
    const best = this.state.bestNodeId;
    const nodeIds = [...new Set([start, best])];
    const testSummary = `held-out test of ${nodeIds.map(shortNode).join(', ')}`;
    setCurrentDetails(`evaluating the ${testSummary}`);
    const result = await routedActivities(
      this.described(heldOutTestOptions(this.config), testSummary),
      this.queues,
    ).evaluateTestSplit({
      runId: this.runId,
      nodeIds,
      config: this.config,
      budgetLeft: budgetLeft(this.state),
    });
    if (!patched(RUN_WIDE_BUDGET_PATCH)) {
      this.state = recordHeldOut(this.state, start, best, result);
      return;
    }
    // What retried attempts spent is in the call logs only.
    const records = routedActivities(
      this.described(recordOptions, 'held-out test: spend from the call logs'),
      this.queues,
    );
    let logged = { costUsd: 0, tokens: 0 };
    for (const nodeId of nodeIds) {
      const s = await records.recordedSpend({ runId: this.runId, nodeId, scope: 'held-out-test' });
      logged = { costUsd: logged.costUsd + s.costUsd, tokens: logged.tokens + s.tokens };
    }
    this.state = recordHeldOut(this.state, start, best, {
      ...result,
      costUsd: Math.max(result.costUsd, logged.costUsd),
      tokens: Math.max(result.tokens, logged.tokens),
    });
  }
}
