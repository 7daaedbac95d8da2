import * as fs from 'fs';
import * as os from 'os';
import {
  DefaultLogger,
  NativeConnection,
  type LogLevel,
  type LogMetadata,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type Docker from 'dockerode';
import type { LoadedConfig } from '../src/config';
import { createActivities } from '../activities';
import { dockerClient, stateLayout } from '../src/devstack';
import { sweepLeftovers, type SweepReport } from '../src/sandbox';
import { startPeriodicSweep } from '../src/sandbox/janitor';
import { DiskFullDiagnosis } from './diskFull';
import { connectionFailure, temporalConnectionOptions } from './connection';
import { dataConverter } from './codec';
import { sourceOrBuilt } from '../src/host/assets';
import { engineDepsFromConfig } from '../src/wiring/engineDeps';
import { HEARTBEAT_EVERY_MS } from '../workflows/activityOptions';
import { WORK_KINDS, type EngineDeps, type WorkKind } from '../src/engine';
import { ACTIVITY_KINDS } from '../workflows/taskQueues';
import type { ObjectStore } from '../src/storage';

/** The workflows entry: compiled JS when running from dist, the TypeScript source under ts-jest. */
export function workflowsPath(): string {
  return sourceOrBuilt('workflows/index.ts');
}

let bundle: Promise<WorkflowBundleOption> | undefined;
/** Bundling takes seconds; do it once per process. */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietLogger });
  return bundle;
}

/** The bundler's logger: warnings and errors only, so the terminal keeps the run's progress. */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

/**
 * The runtime's logger: the SDK's, without the warning every activity-only worker (the meta and
 * evaluation queues) gives at start that it polls no workflow tasks, which is what it is for.
 */
class WorkerLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message === 'No workflows registered, not polling for workflow tasks') return;
    super.log(level, message, meta);
  }
}

let runtimeInstalled = false;
/** Worker state changes are logged at INFO by default; keep the terminal for progress. */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new WorkerLogger(process.env.HYPERAGENTS_DEBUG === '1' ? 'INFO' : 'WARN') });
  } catch {
    // Already installed by the embedding process (tests): keep its logger.
  }
}

export interface RunningWorker {
  worker: Worker;
  /** Closes the connection once `worker.run()` has returned. */
  close: () => Promise<void>;
}

/** How often a running worker sweeps what dead workers and its own ended sessions left (besides once at its start and end). */
export const SWEEP_INTERVAL_MS = 30_000;

function logRemoved(report: SweepReport): void {
  const removed =
    report.containers.length + report.volumes.length + report.workAreas.length + report.cgroups.length;
  if (removed > 0) console.warn(`janitor: removed ${removed} leftover(s) of dead workers or ended sessions`);
}

const logFailed = (e: Error) => console.warn(`janitor: ${e.message}`);

/** Removes containers, volumes, cgroups and folders that dead workers or ended sessions left behind. */
async function sweep(docker: Docker | undefined): Promise<void> {
  try {
    logRemoved(await sweepLeftovers(docker, {}));
  } catch (e) {
    logFailed(e as Error);
  }
}

/** What every worker of a process shares: the sweep, the connection, the engine's services. */
async function connectWorkerHost(
  c: LoadedConfig,
  deps: (EngineDeps & { store: ObjectStore }) | undefined,
): Promise<{
  connection: NativeConnection;
  deps: EngineDeps & { store: ObjectStore };
  common: Pick<
    WorkerOptions,
    'connection' | 'namespace' | 'maxHeartbeatThrottleInterval' | 'interceptors' | 'dataConverter'
  >;
  close: () => Promise<void>;
}> {
  const docker = fs.existsSync(stateLayout(c).dockerSocket) ? dockerClient(c) : undefined;
  await sweep(docker);
  installRuntime();
  const options = temporalConnectionOptions(c);
  // Encrypted histories (temporal/codec.ts): the same codec as every client's.
  const converter = dataConverter(c);
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(options);
  } catch {
    throw await connectionFailure(c, options);
  }
  const common = {
    connection,
    namespace: c.temporal.namespace,
    // Heartbeats reach the server as often as activities send them (the SDK's default throttles
    // them to 80 % of the timeout, which would leave a 12 s timeout a 2 s margin).
    maxHeartbeatThrottleInterval: HEARTBEAT_EVERY_MS,
    interceptors: { activity: [() => ({ inbound: new DiskFullDiagnosis([c.stateDir, os.tmpdir()]) })] },
    dataConverter: converter,
  };
  const resolved = deps ?? (await engineDepsFromConfig(c));
  // Leftovers of a worker that dies while this one runs go without waiting for a restart.
  const sweeper = startPeriodicSweep(docker, {
    intervalMs: SWEEP_INTERVAL_MS,
    onSweep: logRemoved,
    onError: logFailed,
  });
  return {
    connection,
    deps: resolved,
    common,
    close: async () => {
      await sweeper.stop();
      // Every session has ended: what one could not remove (dockerd was down) goes now.
      await sweep(docker);
      await connection.close();
    },
  };
}

/** A workflow task left on a dead worker's sticky queue goes to the shared queue after this. */
const STICKY_TIMEOUT = '3 seconds';

/**
 * One worker for everything on one task queue: the workflows and every activity. For benches,
 * tests and smoke checks on a private queue, whose runs name no queues by kind.
 */
export async function createWorker(
  c: LoadedConfig,
  taskQueue = c.temporal.queues.orchestration.name,
  /** The engine's services; by default as the config describes them. */
  deps?: EngineDeps & { store: ObjectStore },
): Promise<RunningWorker> {
  const host = await connectWorkerHost(c, deps);
  try {
    const worker = await Worker.create({
      ...host.common,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities(host.deps),
      stickyQueueScheduleToStartTimeout: STICKY_TIMEOUT,
    });
    return { worker, close: host.close };
  } catch (e) {
    await host.close();
    throw e;
  }
}

/** The workers of one process, one per kind of work it polls (`hyperagents worker --queues`). */
export interface RunningKindWorkers {
  /** Until every worker stops (a signal, or one failing, which stops the others). */
  run: () => Promise<void>;
  /** Until `done` settles; then the workers stop and its value is returned. */
  runUntil: <T>(done: Promise<T>) => Promise<T>;
  /** Asks every worker still running to stop (`run` then settles). */
  shutdown: () => void;
  /** Closes the connection once the workers have stopped. */
  close: () => Promise<void>;
}

/**
 * A worker per kind of work in `kinds`, each polling its kind's queue (`temporal.queues`) with its
 * kind's concurrency and registering only its kind's activities (workflows/taskQueues.ts). Only the
 * orchestration worker runs workflows. A process polling every kind (the default, one machine)
 * also runs every activity on the orchestration queue, where runs started without queues by kind
 * (before them) schedule all their activities.
 */
export async function createKindWorkers(
  c: LoadedConfig,
  kinds: readonly WorkKind[] = WORK_KINDS,
  deps?: EngineDeps & { store: ObjectStore },
): Promise<RunningKindWorkers> {
  const host = await connectWorkerHost(c, deps);
  const workers: Partial<Record<WorkKind, Worker>> = {};
  try {
    const all = createActivities(host.deps);
    const ofKind = (kind: WorkKind) =>
      Object.fromEntries(
        Object.entries(all).filter(([name]) => (ACTIVITY_KINDS as Record<string, WorkKind>)[name] === kind),
      );
    for (const kind of kinds) {
      const { name, concurrency } = c.temporal.queues[kind];
      workers[kind] = await Worker.create({
        ...host.common,
        taskQueue: name,
        maxConcurrentActivityTaskExecutions: concurrency,
        ...(kind === 'orchestration'
          ? {
              workflowBundle: await workflowBundle(),
              // The SDK's floor for a worker with a workflow cache.
              maxConcurrentWorkflowTaskExecutions: Math.max(2, concurrency),
              stickyQueueScheduleToStartTimeout: STICKY_TIMEOUT,
              activities: WORK_KINDS.every((k) => kinds.includes(k)) ? all : ofKind(kind),
            }
          : { activities: ofKind(kind) }),
      });
    }
  } catch (e) {
    await host.close();
    throw e;
  }
  const list = Object.values(workers);
  const shutdown = () => {
    for (const w of list) if (w.getState() === 'RUNNING') w.shutdown();
  };
  /** Runs every worker; one failing stops the others, and the first failure is thrown once all stopped. */
  const together = async (runOne: (w: Worker) => Promise<unknown>) => {
    const settled = await Promise.allSettled(
      list.map((w) =>
        runOne(w).catch((e: unknown) => {
          shutdown();
          throw e;
        }),
      ),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return {
    run: () => together((w) => w.run()),
    runUntil: async <T>(done: Promise<T>) => {
      await together((w) => w.runUntil(done));
      return done;
    },
    shutdown,
    close: host.close,
  };
}
