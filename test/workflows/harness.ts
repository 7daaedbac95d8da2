/**
 * Workflow-logic tests: the real workflows (workflows/index.ts) on the real Temporal dev server of
 * the embedded stack, with stub activities in this process, the Temporal SDK samples' pattern. Each
 * test file gets its own workers on private, random task queues (one per kind of work, as runs
 * started by the CLI use them) and each test its own stubs, so no test sees another's workflows or
 * calls. Nothing here touches S3, a sandbox or a domain: the stubs decide
 * every score, cost and failure, so a test states the whole scenario it checks.
 */
import { randomUUID } from 'crypto';
import * as path from 'path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { EngineActivities } from '../../activities/engine';
import { temporalAddress, type LoadedConfig } from '../../src/config';
import { parseRunConfig, type RunConfigInput } from '../../src/engine/runConfig';
import type { SpendScope } from '../../src/engine';
import { WORK_KINDS, type RunStatus, type TaskQueues, type WorkKind } from '../../src/engine/types';
import { connectClient } from '../../temporal/connection';
import { quietLogger } from '../../temporal/worker';
import type { evolutionRun } from '../../workflows';
import { statusQuery } from '../../workflows/messages';
import { ACTIVITY_KINDS } from '../../workflows/taskQueues';
import { stackConfig } from '../helpers/stack';

type Activities = EngineActivities;
export type ActivityName = keyof Activities;
export type InputOf<K extends ActivityName> = Parameters<Activities[K]>[0];
type OutputOf<K extends ActivityName> = Awaited<ReturnType<Activities[K]>>;

export function nodeId(generation: number): string {
  return `gen-${String(generation).padStart(5, '0')}`;
}
function generationOf(id: string): number {
  const m = /^gen-(\d+)$/.exec(id);
  if (!m) throw new Error(`not a node id: ${id}`);
  return Number(m[1]);
}

/** A promise a test opens when it wants a held activity to go on. */
export class Gate {
  readonly opened: Promise<void>;
  open!: () => void;
  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }
}

/** What the stub activities do for a generation g (0 is the start node). Every field is optional. */
export interface Plan {
  /** The node's validation score on every domain (its ranking score); default 0.1 + g/100. */
  score?: (g: number) => number;
  /** What the meta agent's LLM calls cost (selfModify's costUsd / tokens); default 0. */
  metaUsd?: (g: number) => number;
  /** Tokens spent by the evaluation of one domain (charged on its first stage); default 0. */
  evalTokens?: (g: number) => number;
  /** The stages planEvaluation reports for each domain's train and val; default staged 10, rest 20, gate 0, 4 at once. */
  stages?: (domain: string) => Array<InputOf<'evaluateStage'>['split']>;
  /** The staged score of node g on a domain's split (the gate compares it); default its score. */
  stagedScore?: (g: number, domain: string, split: 'train' | 'val') => number;
  metaChanged?: (g: number) => boolean;
  /** A message: selfModify of g fails for good (non-retryable) with it. */
  fail?: (g: number) => string | undefined;
  /** createStartNode fails for good with this message. */
  failStart?: string;
  /** selfModify of g waits for this gate before returning. */
  hold?: (g: number) => Gate | undefined;
  /** Test-split scores per node and domain; default 0.5 + g/100. */
  testScore?: (g: number, domain: string) => number;
  /** What the call logs say node g's calls cost (for the scope); default nothing. */
  loggedUsd?: (g: number, scope: SpendScope) => { costUsd: number; tokens: number } | undefined;
  /** The budget refused the meta agent's LLM calls in generation g: the refusal's message. */
  metaRefusal?: (g: number) => string | undefined;
  /** The budget refused an LLM call while generation g was evaluated: the refusal's message. */
  evalRefusal?: (g: number) => string | undefined;
  /** What the held-out test evaluation's LLM calls cost; default 0. */
  testUsd?: number;
  /** The first decideApproval waits for this gate before returning (a slow store). */
  decideHold?: Gate;
}

/** The EngineActivities, implemented by a Plan, recording every call in order. */
export class StubActivities {
  readonly calls: Array<{ name: ActivityName; input: unknown }> = [];
  /** selfModify calls in progress now, and the most there ever were at once. */
  private inMeta = 0;
  maxConcurrentMeta = 0;
  /** The start-to-close timeout each evaluateStage call ran under, in call order. */
  readonly stageTimeoutsMs: Array<number | undefined> = [];
  private readonly gates = new Set<Gate>();
  readonly activities: Activities;

  constructor(private readonly plan: Plan = {}) {
    this.activities = this.make();
  }

  /** Opens every gate a held activity waits on, so a test that failed half-way leaves none blocked. */
  release(): void {
    for (const g of this.gates) g.open();
  }

  inputs<K extends ActivityName>(name: K): Array<InputOf<K>> {
    return this.calls.filter((c) => c.name === name).map((c) => c.input as InputOf<K>);
  }

  private record<K extends ActivityName>(name: K, input: InputOf<K>): void {
    this.calls.push({ name, input });
  }

  private draft(g: number, usd = 0): OutputOf<'selfModify'> {
    return {
      nodeId: nodeId(g),
      parentId: g === 0 ? null : nodeId(g - 1),
      validation: { passed: true, reasons: [] },
      metaChanged: this.plan.metaChanged?.(g) ?? false,
      costUsd: usd,
      tokens: 0,
      ...(this.plan.metaRefusal?.(g) ? { budgetRefusal: this.plan.metaRefusal(g) } : {}),
    };
  }

  private score(g: number): number {
    return this.plan.score?.(g) ?? 0.1 + g / 100;
  }

  /**
   * The activities, typed against the real EngineActivities so a changed signature fails tsc.
   */
  private make(): Activities {
    const stubs: Activities = {
      createStartNode: async (input) => {
        this.record('createStartNode', input);
        if (this.plan.failStart) throw ApplicationFailure.nonRetryable(this.plan.failStart, 'StubFailure');
        return this.draft(0);
      },
      // The latest generation is the parent, so a test can check the workflow passes it on.
      selectParent: async (input) => {
        this.record('selectParent', input);
        return nodeId(input.generation - 1);
      },
      selfModify: async (input) => {
        this.record('selfModify', input);
        this.inMeta += 1;
        this.maxConcurrentMeta = Math.max(this.maxConcurrentMeta, this.inMeta);
        try {
          const gate = this.plan.hold?.(input.generation);
          if (gate) {
            this.gates.add(gate);
            await gate.opened;
          }
          const failure = this.plan.fail?.(input.generation);
          if (failure) throw ApplicationFailure.nonRetryable(failure, 'StubFailure');
          return this.draft(input.generation, this.plan.metaUsd?.(input.generation) ?? 0);
        } finally {
          this.inMeta -= 1;
        }
      },
      evaluateNode: async (input) => {
        this.record('evaluateNode', input);
        const g = generationOf(input.nodeId);
        const s = { score: this.score(g), basis: 'full' as const, evaluated: 1, total: 1 };
        const budgetRefusal = this.plan.evalRefusal?.(g);
        return {
          scores: { train: s, val: s },
          costUsd: 0,
          tokens: this.plan.evalTokens?.(g) ?? 0,
          ...(budgetRefusal ? { budgetRefusal } : {}),
        };
      },
      planEvaluation: async (input) => {
        this.record('planEvaluation', input);
        return Object.fromEntries(
          input.config.domains.map((d) => [
            d,
            (this.plan.stages?.(d) ?? (['train', 'val'] as const)).map((split) => ({
              split,
              staged: 10,
              rest: 20,
              gate: 0,
              concurrency: 4,
            })),
          ]),
        );
      },
      // The staged stage scores `stagedScore` (scaled by a third: 10 of 30 tasks); the rest, the node's score.
      evaluateStage: async (input) => {
        this.record('evaluateStage', input);
        this.stageTimeoutsMs.push(Context.current().info.startToCloseTimeoutMs);
        const g = generationOf(input.nodeId);
        const staged = this.plan.stagedScore?.(g, input.domain, input.split) ?? this.score(g);
        const first = input.stage === 'staged' && input.split === 'train';
        const budgetRefusal = first ? this.plan.evalRefusal?.(g) : undefined;
        const score =
          input.stage === 'staged'
            ? { score: staged / 3, basis: 'staged-scaled' as const, evaluated: 10, total: 30 }
            : { score: this.score(g), basis: 'full' as const, evaluated: 30, total: 30 };
        return {
          score,
          stagedScore: staged,
          costUsd: 0,
          tokens: first ? (this.plan.evalTokens?.(g) ?? 0) : 0,
          ...(budgetRefusal ? { budgetRefusal } : {}),
        };
      },
      // Eligible when every domain has a validation score; the ranking score is their mean.
      scoreNode: async (input) => {
        this.record('scoreNode', input);
        const perDomain: Record<string, number> = {};
        for (const d of input.config.domains) {
          const v = input.scores[d]?.val?.score;
          if (v !== undefined) perDomain[d] = v;
        }
        const values = Object.values(perDomain);
        const eligible = values.length === input.config.domains.length;
        return {
          eligible,
          reasons: eligible ? [] : ['not evaluated on every domain'],
          perDomain,
          score: eligible ? values.reduce((a, b) => a + b, 0) / values.length : undefined,
        };
      },
      finalizeNode: async (input) => {
        this.record('finalizeNode', input);
      },
      decideApproval: async (input) => {
        this.record('decideApproval', input);
        const gate = this.plan.decideHold;
        if (gate && this.inputs('decideApproval').length === 1) {
          this.gates.add(gate);
          await gate.opened;
        }
      },
      recordedSpend: async (input) => {
        this.record('recordedSpend', input);
        return this.plan.loggedUsd?.(generationOf(input.nodeId), input.scope) ?? { costUsd: 0, tokens: 0 };
      },
      evaluateTestSplit: async (input) => {
        this.record('evaluateTestSplit', input);
        const out: Record<string, Record<string, number>> = {};
        for (const id of input.nodeIds) {
          const g = generationOf(id);
          out[id] = Object.fromEntries(
            input.config.domains.map((d) => [d, this.plan.testScore?.(g, d) ?? 0.5 + g / 100]),
          );
        }
        return { scores: out, costUsd: this.plan.testUsd ?? 0, tokens: 0 };
      },
    };
    return stubs;
  }
}

/** Small runs over two made-up domains (the stubs never look a domain up); no test split by default. */
export function runConfig(over: RunConfigInput = {}) {
  return parseRunConfig({
    domains: ['alpha', 'beta'],
    seed: 'workflow-test',
    testAtEnd: false,
    ...over,
  });
}

/** What a test body gets: a client, the stubs of its runs, and helpers to start and watch runs. */
export interface RunContext {
  client: Client;
  stubs: StubActivities;
  start: (
    over?: RunConfigInput,
  ) => Promise<{ runId: string; handle: WorkflowHandleWithFirstExecutionRunId<typeof evolutionRun> }>;
  status: (handle: WorkflowHandle) => Promise<RunStatus>;
  /** Polls the status query (bounded) until `ok` holds; fails naming `what` and the last status. */
  waitFor: (handle: WorkflowHandle, what: string, ok: (s: RunStatus) => boolean) => Promise<RunStatus>;
}

/**
 * The SDK logs every worker state change at INFO, and core every failed workflow task (which some
 * tests cause on purpose) at WARN; keep the test output for real errors. Once per process: a later
 * install (another suite of the same jest run) is refused and the first one stays.
 */
export function installQuietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Already installed in this process.
  }
}

export { quietLogger };

/** How long a wait for a workflow state may take before the test fails: generous, never asserted. */
const WAIT_LIMIT_MS = 30_000;

/**
 * One worker per kind of work per test file on private, random task queues (workers per test would
 * cost a second of start and shutdown each); each registers only its kind's activities, so an
 * activity the workflows schedule on the wrong queue is never run. Each test's runs get their own
 * stubs: the activities find them by the run id every engine activity is given, so a test never
 * sees another's calls.
 */
export class WorkflowTestEnv {
  private readonly stubsByRun = new Map<string, StubActivities>();
  private readonly queues: TaskQueues = (() => {
    const stem = `wf-test-${randomUUID()}`;
    return { orchestration: stem, meta: `${stem}-meta`, evaluation: `${stem}-eval` };
  })();
  private workers: Worker[] = [];
  private running!: Promise<unknown>;

  private constructor(
    readonly config: LoadedConfig,
    readonly client: Client,
    private readonly connection: NativeConnection,
  ) {}

  /** Connects to the stack's Temporal, bundles the workflows and starts the file's worker. */
  static async create(): Promise<WorkflowTestEnv> {
    const config = stackConfig();
    installQuietRuntime();
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../../workflows/index.ts'),
      logger: quietLogger,
    });
    const connection = await NativeConnection.connect({ address: temporalAddress(config) });
    const env = new WorkflowTestEnv(config, await connectClient(config), connection);
    const dispatch = env.dispatch();
    const ofKind = (kind: WorkKind) =>
      Object.fromEntries(
        Object.entries(dispatch).filter(([name]) => ACTIVITY_KINDS[name as ActivityName] === kind),
      );
    for (const kind of WORK_KINDS)
      env.workers.push(
        await Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue: env.queues[kind],
          ...(kind === 'orchestration' ? { workflowBundle } : {}),
          activities: ofKind(kind),
        }),
      );
    env.running = Promise.all(env.workers.map((w) => w.run()));
    return env;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.shutdown();
    await this.running;
    await this.client.connection.close();
    await this.connection.close();
  }

  /** Activities that hand each call to the stubs of the run it belongs to. */
  private dispatch(): Activities {
    const forRun = (runId: string): Activities => {
      const stubs = this.stubsByRun.get(runId);
      if (!stubs) throw ApplicationFailure.nonRetryable(`no stubs for run ${runId}`, 'StubFailure');
      return stubs.activities;
    };
    return {
      createStartNode: (i) => forRun(i.runId).createStartNode(i),
      selectParent: (i) => forRun(i.runId).selectParent(i),
      selfModify: (i) => forRun(i.runId).selfModify(i),
      evaluateNode: (i) => forRun(i.runId).evaluateNode(i),
      planEvaluation: (i) => forRun(i.runId).planEvaluation(i),
      evaluateStage: (i) => forRun(i.runId).evaluateStage(i),
      scoreNode: (i) => forRun(i.runId).scoreNode(i),
      finalizeNode: (i) => forRun(i.runId).finalizeNode(i),
      decideApproval: (i) => forRun(i.runId).decideApproval(i),
      evaluateTestSplit: (i) => forRun(i.runId).evaluateTestSplit(i),
      recordedSpend: (i) => forRun(i.runId).recordedSpend(i),
    };
  }

  /**
   * Runs `body` with stubs following `plan` for every run it starts; runs the body left running are
   * terminated at the end, so a failed test leaves nothing behind on the server.
   */
  async run(plan: Plan, body: (ctx: RunContext) => Promise<void>): Promise<StubActivities> {
    const stubs = new StubActivities(plan);
    const started: WorkflowHandle[] = [];
    const { client, queues, stubsByRun } = this;
    const status = (handle: WorkflowHandle) => handle.query(statusQuery);
    const ctx: RunContext = {
      client,
      stubs,
      start: async (over = {}) => {
        const runId = `wf-${randomUUID().slice(0, 12)}`;
        stubsByRun.set(runId, stubs);
        const handle = await client.workflow.start<typeof evolutionRun>('evolutionRun', {
          workflowId: runId,
          taskQueue: queues.orchestration,
          args: [{ runId, config: runConfig(over), queues }],
          // A run a crashed test left behind ends by itself.
          workflowExecutionTimeout: '10 minutes',
        });
        started.push(handle);
        return { runId, handle };
      },
      status,
      waitFor: async (handle, what, ok) => {
        const deadline = Date.now() + WAIT_LIMIT_MS;
        let last: RunStatus | undefined;
        let lastError: unknown;
        while (Date.now() < deadline) {
          try {
            last = await status(handle);
            if (ok(last)) return last;
          } catch (e) {
            lastError = e; // e.g. queried before the first workflow task completed
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(
          `never reached: ${what}; last status: ${JSON.stringify(last)}; last error: ${String(lastError)}`,
        );
      },
    };
    try {
      await body(ctx);
    } finally {
      stubs.release();
      for (const h of started) {
        const { status: s } = await client.workflow.getHandle(h.workflowId).describe();
        if (s.name === 'RUNNING') await client.workflow.getHandle(h.workflowId).terminate('test ended');
      }
    }
    return stubs;
  }
}

/** The message a refused update (validator) or failed workflow ended with: the innermost cause. */
export async function failureOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    let err: unknown = e;
    while (err instanceof Error && err.cause instanceof Error) err = err.cause;
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a failure, but the call succeeded');
}
