import * as fs from 'fs';
import * as path from 'path';
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
import { makeS3Client, S3ObjectStore } from '../src/storage';
import { dockerClient, sandboxFor, stateLayout } from '../src/devstack';
import { sweepLeftovers } from '../src/sandbox';
import { Archive } from '../src/archive';
import { DomainRegistry, type Domain, type LoadedTasks } from '../src/domains';
import { memoize } from '../activities/engine/deps';
import type { SplitSizes } from '../src/engine';

/** The workflows entry: compiled JS when running from dist, the TypeScript source under ts-jest. */
export function workflowsPath(): string {
  const js = path.resolve(__dirname, '../workflows/index.js');
  return fs.existsSync(js) ? js : path.resolve(__dirname, '../workflows/index.ts');
}

let bundle: Promise<WorkflowBundleOption> | undefined;
/** Bundling takes seconds; do it once per process. */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietLogger });
  return bundle;
}

const quietLogger = {
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

/** Domains by name (built-ins and the config's user modules), with task sets loaded once per process. */
export async function domainAccess(c: LoadedConfig) {
  const registry = new DomainRegistry();
  await registry.loadUserDomains(c.domainModules, c.source ? path.dirname(c.source) : process.cwd());
  const tasks = memoize(
    (k: { domain: Domain; seed: number; sizes: SplitSizes | undefined }): Promise<LoadedTasks> =>
      k.domain.loadTasks({ seed: k.seed, sizes: k.sizes, dataDir: c.dataDir }),
    (k) => JSON.stringify([k.domain.name, k.seed, k.sizes]),
  );
  return {
    domain: (name: string) => registry.get(name),
    tasks: (domain: Domain, seed: number, sizes: SplitSizes | undefined) => tasks({ domain, seed, sizes }),
  };
}

/** Removes containers, volumes, cgroups and folders that workers which died left behind. */
async function sweep(c: LoadedConfig): Promise<void> {
  const docker = fs.existsSync(stateLayout(c).dockerSocket) ? dockerClient(c) : undefined;
  try {
    const report = await sweepLeftovers(docker, {});
    const removed = Object.values(report).reduce((n, list: string[]) => n + list.length, 0);
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
  const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
  const worker = await Worker.create({
    connection,
    namespace: c.temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({
      store,
      sandbox: () => sandboxFor(c),
      limits: c.sandbox,
      engine: {
        config: c,
        archive: new Archive(store),
        store,
        sandbox: () => sandboxFor(c),
        limits: c.sandbox,
        ...(await domainAccess(c)),
      },
    }),
  });
  return { worker, close: () => connection.close() };
}
