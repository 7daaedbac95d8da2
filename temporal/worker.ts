import * as fs from 'fs';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { temporalAddress, type LoadedConfig } from '../src/config';
import { createActivities } from '../activities';
import { dockerClient, stateLayout } from '../src/devstack';
import { sweepLeftovers } from '../src/sandbox';
import { sourceOrBuilt } from '../src/host/assets';
import { engineDepsFromConfig } from '../src/wiring/engineDeps';

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

/** Removes containers, volumes, cgroups and folders that workers which died left behind. */
async function sweep(c: LoadedConfig): Promise<void> {
  const docker = fs.existsSync(stateLayout(c).dockerSocket) ? dockerClient(c) : undefined;
  try {
    const report = await sweepLeftovers(docker, {});
    const removed =
      report.containers.length + report.volumes.length + report.workAreas.length + report.cgroups.length;
    if (removed > 0) console.warn(`janitor: removed ${removed} leftover(s) of dead workers`);
  } catch (e) {
    console.warn(`janitor: ${(e as Error).message}`);
  }
}

export async function createWorker(
  c: LoadedConfig,
  taskQueue = c.temporal.taskQueue,
): Promise<RunningWorker> {
  await sweep(c);
  installRuntime();
  const connection = await NativeConnection.connect({ address: temporalAddress(c) });
  const worker = await Worker.create({
    connection,
    namespace: c.temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(await engineDepsFromConfig(c)),
  });
  return { worker, close: () => connection.close() };
}
