import * as fs from 'fs';
import * as os from 'os';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
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
import { sourceOrBuilt } from '../src/host/assets';
import { engineDepsFromConfig } from '../src/wiring/engineDeps';
import { HEARTBEAT_EVERY_MS } from '../workflows/activityOptions';
import type { EngineDeps } from '../src/engine';
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

let runtimeInstalled = false;
/** Worker state changes are logged at INFO by default; keep the terminal for progress. */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(process.env.HYPERAGENTS_DEBUG === '1' ? 'INFO' : 'WARN') });
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

export async function createWorker(
  c: LoadedConfig,
  taskQueue = c.temporal.taskQueue,
  /** The engine's services; by default as the config describes them. */
  deps?: EngineDeps & { store: ObjectStore },
): Promise<RunningWorker> {
  const docker = fs.existsSync(stateLayout(c).dockerSocket) ? dockerClient(c) : undefined;
  await sweep(docker);
  installRuntime();
  const options = temporalConnectionOptions(c);
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(options);
  } catch {
    throw await connectionFailure(c, options);
  }
  const worker = await Worker.create({
    connection,
    namespace: c.temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(deps ?? (await engineDepsFromConfig(c))),
    // Heartbeats reach the server as often as activities send them (the SDK's default throttles
    // them to 80 % of the timeout, which would leave a 12 s timeout a 2 s margin).
    maxHeartbeatThrottleInterval: HEARTBEAT_EVERY_MS,
    // A workflow task left on a dead worker's sticky queue goes to the shared queue after this.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    interceptors: { activity: [() => ({ inbound: new DiskFullDiagnosis([c.stateDir, os.tmpdir()]) })] },
  });
  // Leftovers of a worker that dies while this one runs go without waiting for a restart.
  const sweeper = startPeriodicSweep(docker, {
    intervalMs: SWEEP_INTERVAL_MS,
    onSweep: logRemoved,
    onError: logFailed,
  });
  return {
    worker,
    close: async () => {
      await sweeper.stop();
      // Every session has ended: what one could not remove (dockerd was down) goes now.
      await sweep(docker);
      await connection.close();
    },
  };
}
