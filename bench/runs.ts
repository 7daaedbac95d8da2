/**
 * The run driver shared by the bench scripts (main-job, ablation, paper-protocol): evolution runs
 * started through Temporal and executed by in-process workers on private task queues, one per kind of
 * work as `make run` has them (or one queue for everything, to compare), against the real stack (S3,
 * the sandbox); then the run's final status and its archive.
 * Also the per-node reading the tables share. Needs the stack up.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { connectClient } from '../temporal/connection';
import { createKindWorkers, type RunningKindWorkers } from '../temporal/worker';
import { evolutionRun } from '../workflows';
import { Archive, type NodeRecord } from '../src/archive';
import { taskQueues, withTaskQueue, type LoadedConfig } from '../src/config';
import type { EngineDeps, RunConfig, RunStatus, TaskQueues } from '../src/engine';
import { makeS3Client, S3ObjectStore, type ObjectStore } from '../src/storage';

export { median, spread, fmtScore, fmtSpread, type Spread } from '../src/report/stats';

/** A finished run: its final status and every node of its archive. */
export interface RunOutcome {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  nodes: NodeRecord[];
  minutes: number;
}

/** The validation score of `node` on `domain` when the whole split was evaluated and the node is valid. */
export function fullVal(node: NodeRecord, domain: string): number | undefined {
  const val = node.scores[domain]?.val;
  return val && val.basis === 'full' && node.validation.passed ? val.score : undefined;
}

/** The run's start node (generation 0). */
export function startNode(nodes: readonly NodeRecord[]): NodeRecord | undefined {
  return nodes.find((n) => n.parentId === null);
}

/** The best full validation score of any node of the run on `domain`. */
export function bestVal(nodes: readonly NodeRecord[], domain: string): number | undefined {
  const vals = nodes.map((n) => fullVal(n, domain)).filter((v): v is number => v !== undefined);
  return vals.length > 0 ? Math.max(...vals) : undefined;
}

/** A run id `<prefix>-<label>-<4 hex>`, unique per start. */
export function benchRunId(prefix: string, label: string): string {
  return `${prefix}-${label}-${randomBytes(2).toString('hex')}`;
}

/**
 * How the driver's runs place their activities: on a queue per kind of work, as a run that
 * `hyperagents run` starts does (the default), or all on the workflows' own queue (as runs started
 * before the queues by kind did), which lets the server hand each activity to the worker that
 * scheduled it without a poll (eager dispatch).
 */
export type BenchQueues = 'by-kind' | 'one';

/** A Temporal client, in-process workers on private task queues, and the archive. */
export class BenchDriver {
  readonly archive: Archive;
  /** The workers run once for all the driver's runs (a Temporal worker cannot be restarted). */
  private readonly work: Promise<void>;
  private constructor(
    readonly config: LoadedConfig,
    private readonly client: Client,
    private readonly running: RunningKindWorkers,
    /** What runs are started with; undefined: every activity on the workflows' queue. */
    private readonly queues: TaskQueues | undefined,
    readonly taskQueue: string,
  ) {
    this.archive = new Archive(new S3ObjectStore(makeS3Client(config), config.s3.bucket));
    this.work = running.run();
  }

  /** `deps`: the workers' engine services, when not the config's (a bench that times them). */
  static async open(
    config: LoadedConfig,
    deps?: EngineDeps & { store: ObjectStore },
    queues: BenchQueues = 'by-kind',
  ): Promise<BenchDriver> {
    const own = withTaskQueue(config, `bench-${randomBytes(4).toString('hex')}`);
    const client = await connectClient(config);
    try {
      // A worker per kind, as `hyperagents worker` runs them: its orchestration worker also takes
      // every activity of a run started without queues by kind.
      const workers = await createKindWorkers(own, undefined, deps);
      const byKind = queues === 'by-kind' ? taskQueues(own) : undefined;
      return new BenchDriver(config, client, workers, byKind, own.temporal.taskQueue);
    } catch (e) {
      await client.connection.close();
      throw e;
    }
  }

  /** Starts `config` as run `runId`, runs the worker until it ends, and reads back its archive. */
  async run(runId: string, config: RunConfig, log: (line: string) => void = () => {}): Promise<RunOutcome> {
    const started = Date.now();
    log(`${runId}: ${config.method}, ${config.budget.generations} generations, ${config.domains.join(', ')}`);
    const handle = await this.client.workflow.start(evolutionRun, {
      workflowId: runId,
      taskQueue: this.taskQueue,
      args: [{ runId, config, ...(this.queues ? { queues: this.queues } : {}) }],
    });
    // A worker that dies ends the wait too, with its error, instead of leaving the run waiting forever.
    const status: RunStatus = await Promise.race([
      handle.result(),
      this.work.then(() => Promise.reject(new Error(`the worker stopped before run ${runId} ended`))),
    ]);
    const minutes = (Date.now() - started) / 60_000;
    log(`${runId}: done in ${minutes.toFixed(1)} min${status.stopReason ? ` (${status.stopReason})` : ''}`);
    return { runId, config, status, nodes: await this.archive.listNodes(runId), minutes };
  }

  async close(): Promise<void> {
    this.running.shutdown();
    await this.work;
    await this.running.close();
    await this.client.connection.close();
  }
}

/**
 * The finished runs of a long bench kept in a folder, one JSON file per run, so a bench stopped
 * part way (a session's end, a crash) resumes with the runs it has not finished. The folder also
 * keeps the options the bench was started with: resuming with other options is refused, so one
 * table never mixes runs of two settings.
 */
export class RunCheckpoint {
  private constructor(private readonly dir: string) {}

  /** Opens (or starts) the checkpoint in `dir` for a bench started with `options`. */
  static open(dir: string, options: unknown): RunCheckpoint {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'options.json');
    const wanted = JSON.stringify(options);
    if (fs.existsSync(file)) {
      const kept = fs.readFileSync(file, 'utf8');
      if (kept !== wanted)
        throw new Error(`${dir} holds runs of other options (${kept}); use another --checkpoint folder`);
    } else fs.writeFileSync(file, wanted);
    return new RunCheckpoint(dir);
  }

  private file(key: string): string {
    return path.join(this.dir, `${key.replace(/[^A-Za-z0-9._-]/g, '-')}.json`);
  }

  /** The finished run kept under `key`, if any. */
  load(key: string): RunOutcome | undefined {
    const file = this.file(key);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunOutcome) : undefined;
  }

  /** Keeps a finished run (written whole, then renamed, so a stop mid-write leaves no half file). */
  save(key: string, outcome: RunOutcome): void {
    const file = this.file(key);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(outcome));
    fs.renameSync(`${file}.tmp`, file);
  }
}
