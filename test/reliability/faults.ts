/**
 * Fault injection for the reliability suite, on the real embedded stack: a worker in its own
 * process (to SIGKILL), a loopback proxy in front of the S3 server (to slow it down or cut it off),
 * and what Temporal says is running (pending activities), to aim a fault at one kind of work.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { configSchema, taskQueues, type LoadedConfig } from '../../src/config';
import { parseRunConfig, type RunConfigInput, type TaskQueues } from '../../src/engine';
import { evolutionRun } from '../../workflows';
import { dockerClient } from '../../src/devstack';
import { projectRoot } from '../../src/host/assets';
import { WORKER_LABEL } from '../../src/sandbox/dockerSandbox';

/** A TCP proxy on loopback to `target`: every chunk towards it waits `delayMs`; `cut()` refuses and drops. */
export class S3Proxy {
  delayMs = 0;
  private cutOff = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.relay(client));
  }

  static async start(target: { host: string; port: number }): Promise<S3Proxy> {
    const proxy = new S3Proxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  private relay(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk) => {
      client.pause();
      setTimeout(() => {
        upstream.write(chunk);
        client.resume();
      }, this.delayMs);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The S3 server is gone: open connections drop, new ones are refused, until `restore()`. */
  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * A config file for worker processes: its own task queue, S3 through `s3Endpoint`, the parity user
 * domain (from `parityModule`: the example's by default).
 */
export function workerConfigFile(
  taskQueue: string,
  s3Endpoint: string,
  parityModule = path.join(projectRoot, 'examples', 'domains', 'parity.js'),
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-'));
  const file = path.join(dir, 'hyperagents.config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      temporal: { taskQueue },
      s3: { endpoint: s3Endpoint },
      domainModules: [{ name: 'parity', module: parityModule }],
    }),
  );
  return file;
}

/** `hyperagents worker` in its own process (the build), with its output kept for a failing test. */
export class WorkerProcess {
  /** Workers not yet exited: a failed test's afterAll kills them, or they keep jest from exiting. */
  private static readonly live = new Set<WorkerProcess>();
  readonly output: string[] = [];
  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString()));
    WorkerProcess.live.add(this);
    child.once('exit', () => WorkerProcess.live.delete(this));
  }

  /** SIGKILLs every worker still running; for afterAll, whatever the tests left. */
  static async killAll(): Promise<void> {
    await Promise.all([...WorkerProcess.live].map((w) => w.kill()));
  }

  /**
   * `env`: more settings for the worker (a private stack's state folder and ports); `args`: more
   * arguments of `hyperagents worker` (`--queues meta`).
   */
  static start(configFile: string, env: Record<string, string> = {}, args: string[] = []): WorkerProcess {
    const bin = path.join(projectRoot, 'bin', 'hyperagents.js');
    const child = spawn(process.execPath, [bin, 'worker', ...args], {
      env: { ...process.env, ...env, HYPERAGENTS_CONFIG: configFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGKILL: no shutdown, no clean-up, as when a host or a container dies. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM and wait: the worker's own shutdown. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await gone;
  }
}

export interface Pending {
  workflowId: string;
  activityId: string;
  type: string;
  started: boolean;
  attempt: number;
  /** When the current attempt started (ms since the epoch), if it has. */
  lastStartedMs?: number;
  /** The identity of the worker running it (the SDK's default: `<pid>@<host>`). */
  worker?: string;
  /** Why its last attempt failed, if one did. */
  lastFailure?: string;
}

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/** The activities pending in these workflows now (missing or closed workflows have none). */
export async function pendingActivities(client: Client, workflowIds: readonly string[]): Promise<Pending[]> {
  const out: Pending[] = [];
  for (const workflowId of workflowIds) {
    let described;
    try {
      described = await client.workflow.getHandle(workflowId).describe();
    } catch {
      continue;
    }
    for (const a of described.raw.pendingActivities ?? []) {
      const t = a.lastStartedTime;
      out.push({
        workflowId,
        activityId: a.activityId ?? '',
        type: a.activityType?.name ?? '',
        started: a.state === STARTED,
        attempt: a.attempt ?? 1,
        ...(a.lastWorkerIdentity ? { worker: a.lastWorkerIdentity } : {}),
        ...(a.lastFailure?.message ? { lastFailure: a.lastFailure.message } : {}),
        ...(t ? { lastStartedMs: Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 } : {}),
      });
    }
  }
  return out;
}

/** The workflow ids of the run and of its generations still running (visibility: no worker needed). */
export async function runningIds(client: Client, runId: string): Promise<string[]> {
  const ids = [runId];
  for await (const wf of client.workflow.list({
    query: `WorkflowId STARTS_WITH '${runId}/' AND ExecutionStatus = 'Running'`,
  }))
    ids.push(wf.workflowId);
  return ids;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Containers and volumes still labelled as made by one of these (dead) worker processes. */
export async function leftoversOf(config: LoadedConfig, pids: readonly number[]): Promise<string[]> {
  const docker = dockerClient(config);
  // The worker label is the owner's token `<boot>-<pid>-<start>` (src/sandbox/owner.ts).
  const owned = (labels: Record<string, string> | null | undefined) =>
    pids.some((pid) => (labels?.[WORKER_LABEL] ?? '').split('-')[1] === String(pid));
  const containers = await docker.listContainers({ all: true, filters: { label: [WORKER_LABEL] } });
  const volumes = (await docker.listVolumes({ filters: { label: [WORKER_LABEL] } })).Volumes ?? [];
  return [
    ...containers.filter((c) => owned(c.Labels)).map((c) => `container ${c.Id.slice(0, 12)}`),
    ...volumes.filter((v) => owned(v.Labels)).map((v) => `volume ${v.Name}`),
  ];
}

/** The queue of each kind of work of a config whose `temporal.taskQueue` is `taskQueue` (workerConfigFile's). */
export function queuesOf(taskQueue: string): TaskQueues {
  return taskQueues(configSchema.parse({ temporal: { taskQueue } }));
}

/**
 * Starts an evolution of the parity user domain on `taskQueue` (workers of workerConfigFile run
 * it), its work on the queues by kind that `hyperagents run` would name.
 */
export function startParityRun(
  client: Client,
  at: { runId: string; taskQueue: string },
  over: RunConfigInput,
): Promise<WorkflowHandle<typeof evolutionRun>> {
  return client.workflow.start(evolutionRun, {
    workflowId: at.runId,
    taskQueue: at.taskQueue,
    args: [
      {
        runId: at.runId,
        config: parseRunConfig({ domains: ['parity'], ...over }),
        queues: queuesOf(at.taskQueue),
      },
    ],
  });
}
