/**
 * The services under a running evolution fail: the Temporal dev server is SIGKILLed and restarted on
 * its SQLite file, the S3 server is stopped for 30 s, dockerd is stopped mid-evaluation, and the
 * state folder's disk fills up. Each on a private stack (test/reliability/privateStack.ts) with the
 * real `hyperagents worker` in its own process. After each the run completes, and its archive is the
 * archive of the same run without the fault, node for node and score for score: nothing lost,
 * doubled, half-written or scored on a half-run evaluation. What the run went through (outage
 * seconds, seconds from the service's return to the next finished activity) is written out for
 * docs/reliability.md, not asserted.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Archive, nodeIdFor, type NodeRecord } from '../../src/archive';
import type { RunStatus } from '../../src/engine';
import { makeS3Client, S3ObjectStore } from '../../src/storage';
import { connectClient } from '../../temporal/connection';
import {
  leftoversOf,
  pendingActivities,
  runningIds,
  startParityRun,
  sleep,
  workerConfigFile,
  WorkerProcess,
} from './faults';
import { writeFigures } from './figures';
import { PrivateStack } from './privateStack';

const GENERATIONS = 6;
const SEED = 'stack-faults';
const BASE_PORT = 17433;

let stack: PrivateStack;
let client: Client;
let archive: Archive;
let configFile: string;
let taskQueue: string;
/** The archive of the run without faults: what every faulted run must end with. */
let reference: NodeRecord[];
/** Every run a test started, so afterAll can end what a failed test left running. */
const started: string[] = [];

/** What a node's outcome is, without the times and ids that differ between two runs of it. */
const outcome = (n: NodeRecord) => ({
  nodeId: n.nodeId,
  parentId: n.parentId,
  valid: n.validation.passed,
  program: n.snapshotKey,
  // The report's key names the run.
  scores: JSON.parse(
    JSON.stringify(n.scores, (k, v: unknown) => (k === 'reportKey' ? undefined : v)),
  ) as unknown,
});

interface Run {
  runId: string;
  worker: WorkerProcess;
  result: Promise<RunStatus>;
}

async function startRun(label: string): Promise<Run> {
  const runId = `test-${label}-${randomUUID().slice(0, 8)}`;
  const worker = WorkerProcess.start(configFile, stack.env);
  const handle = await startParityRun(
    client,
    { runId, taskQueue },
    { seed: SEED, budget: { generations: GENERATIONS }, testAtEnd: true },
  );
  const result = handle.result();
  // A test that fails before `finish` never awaits it; afterAll terminates the run.
  result.catch(() => undefined);
  return { runId, worker, result };
}

/** Ends the run's worker and checks the run against the reference; returns its node count. */
async function finish(run: Run): Promise<{ status: RunStatus; nodes: NodeRecord[] }> {
  const status = await run.result;
  await run.worker.stop();
  const nodes = await archive.listNodes(run.runId); // parses every record: a half-written one throws
  expect(status.generationsDone).toBe(GENERATIONS);
  expect(status.failures).toBe(0);
  expect(nodes.map(outcome)).toEqual(reference.map(outcome));
  expect(await leftoversOf(stack.config, [run.worker.pid])).toEqual([]);
  return { status, nodes };
}

/** Waits until an activity of `type` (any when omitted) has been running for `afterMs`; returns its workflow. */
async function whenRunning(run: Run, type?: string, afterMs = 0): Promise<string> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const busy = (await pendingActivities(client, await runningIds(client, run.runId))).find(
      (p) => p.started && (!type || p.type === type) && Date.now() - (p.lastStartedMs ?? Infinity) >= afterMs,
    );
    if (busy) return busy.workflowId;
    await sleep(100);
  }
  const said = run.worker.output.join('').slice(-3000);
  throw new Error(`no ${type ?? 'activity'} started in run ${run.runId}; its worker said:\n${said}`);
}

const COMPLETED = temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED;

/** Seconds from `sinceMs` to the first activity of the run that completed after it. */
async function secondsToNextCompletedActivity(run: Run, sinceMs: number): Promise<number> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const ids = await runningIds(client, run.runId).catch(() => [run.runId]);
    for (const id of ids) {
      const history = await client.workflow
        .getHandle(id)
        .fetchHistory()
        .catch(() => undefined);
      for (const e of history?.events ?? []) {
        const t = e.eventTime ? Number(e.eventTime.seconds ?? 0) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : 0;
        if (e.eventType === COMPLETED && t > sinceMs) return (t - sinceMs) / 1000;
      }
    }
    await sleep(250);
  }
  throw new Error(`run ${run.runId} made no progress within 5 minutes`);
}

beforeAll(async () => {
  stack = await PrivateStack.up(BASE_PORT, 1024);
  client = await connectClient(stack.config);
  archive = new Archive(new S3ObjectStore(makeS3Client(stack.config), stack.config.s3.bucket));
  taskQueue = `faults-${randomUUID().slice(0, 8)}`;
  // Stages slow enough that dockerd stops while one runs (test/reliability/slowParity.js).
  configFile = workerConfigFile(
    taskQueue,
    `http://127.0.0.1:${BASE_PORT + 2}`,
    path.join(__dirname, 'slowParity.js'),
  );
  const run = await startRun('reference');
  await run.result;
  await run.worker.stop();
  reference = await archive.listNodes(run.runId);
  expect(reference.map((n) => n.nodeId)).toEqual(
    Array.from({ length: GENERATIONS + 1 }, (_, g) => nodeIdFor(g)),
  );
}, 600_000);

afterAll(async () => {
  // A failed test leaves its worker and run going: a live child process keeps jest from exiting, and
  // a run's pending result() call retries on a closed connection. End both first.
  await WorkerProcess.killAll();
  for (const runId of started)
    for (const id of await runningIds(client, runId).catch(() => []))
      await client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
  await client?.connection.close();
  await stack?.down();
  if (configFile) fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
}, 120_000);

/**
 * A run of the reference's shape with `outage` injected once an activity of `type` has run for
 * `afterMs`: the run must end as the reference did. Writes what it went through under `figures`.
 */
async function survives(
  figures: string,
  at: { type: string; afterMs?: number },
  outage: (run: Run) => Promise<void>,
): Promise<void> {
  const run = await startRun(figures);
  started.push(run.runId);
  await whenRunning(run, at.type, at.afterMs);
  const from = Date.now();
  await outage(run);
  const backAt = Date.now();
  const recoverySec = await secondsToNextCompletedActivity(run, backAt);
  const { nodes } = await finish(run);
  const ids = new Set(nodes.map((n) => n.nodeId));
  writeFigures(figures, {
    outageSec: (backAt - from) / 1000,
    recoverySec,
    generations: GENERATIONS,
    nodes: nodes.length,
    lost: reference.filter((n) => !ids.has(n.nodeId)).length,
    doubled: nodes.length - ids.size,
  });
}

test('the Temporal server SIGKILLed mid-run and restarted on its SQLite file: the run resumes', async () => {
  await survives('temporal-restart', { type: 'evaluateStage' }, async () => {
    await stack.kill('temporal');
    await sleep(5_000);
    await stack.start('temporal');
  });
}, 600_000);

test('the S3 server stopped for 30 s mid-run: activities wait it out and the run resumes', async () => {
  await survives('s3-outage', { type: 'evaluateStage' }, async () => {
    await stack.kill('s3');
    await sleep(30_000);
    await stack.start('s3');
  });
}, 600_000);

/**
 * Why the run's activities' attempts failed, polled for `ms` or until `enough` of it was said: what
 * the run says while a fault lasts.
 */
async function failuresFor(
  run: Run,
  ms: number,
  enough: (said: string) => boolean = () => false,
): Promise<string> {
  const said = new Set<string>();
  const until = Date.now() + ms;
  while (Date.now() < until && !enough([...said].join('\n'))) {
    for (const p of await pendingActivities(
      client,
      await runningIds(client, run.runId).catch(() => [run.runId]),
    ))
      if (p.lastFailure) said.add(`${p.type}: ${p.lastFailure}`);
    await sleep(500);
  }
  return [...said].join('\n');
}

test('dockerd stopped mid-evaluation: the evaluation is retried, no node is scored on half of it', async () => {
  await survives('docker-stop', { type: 'evaluateStage', afterMs: 500 }, async (run) => {
    await stack.stop('docker');
    let said: string;
    try {
      said = await failuresFor(run, 10_000);
    } finally {
      await stack.start('docker');
    }
    // The stage that was running failed (its sandbox went with dockerd) and waits for a retry.
    expect(said).toMatch(/^evaluateStage: /m);
  });
}, 600_000);

test("the state folder's disk full mid-run: a clear error while it is, nothing corrupt, the run resumes once space is freed", async () => {
  await survives('disk-full', { type: 'evaluateStage' }, async (run) => {
    const filler = stack.fillDisk();
    // The worker's interceptor names the full folder and its free space (temporal/diskFull.ts) once
    // an attempt fails: when the running stage next writes to S3, which on a loaded machine can be
    // more than half a minute away. It reaches the worker's log at once; the Temporal UI shows it
    // only once the server, whose SQLite file is on the same full disk, could record the failure.
    const diagnosed = /disk full: \S+ has \d+ MB free/;
    const logged = () => run.worker.output.join('');
    const said = await failuresFor(run, 120_000, (s) => diagnosed.test(s) || diagnosed.test(logged()));
    fs.rmSync(filler);
    expect(`${said}\n${logged()}`).toMatch(diagnosed);
  });
}, 600_000);
