/**
 * Two workers on one task queue, one of them killed with SIGKILL in the middle of a generation and
 * never restarted: the other takes its work over and finishes the run, every generation once.
 * Both are the real `hyperagents worker` in their own processes; recovery (the kill → the killed
 * activity started again on the survivor) is written out for docs/reliability.md.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { Archive, nodeIdFor } from '../../src/archive';
import { makeS3Client, S3ObjectStore } from '../../src/storage';
import { connectClient } from '../../temporal/connection';
import { stackConfig } from '../helpers/stack';
import {
  leftoversOf,
  pendingActivities,
  startParityRun,
  S3Proxy,
  sleep,
  workerConfigFile,
  WorkerProcess,
  type Pending,
} from './faults';
import { writeFigures } from './figures';

const GENERATIONS = 4;
const config = stackConfig();
let client: Client;
let proxy: S3Proxy;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  client = await connectClient(config);
  // S3 as it is, through the proxy only so both workers share the suite's way of reaching it.
  proxy = await S3Proxy.start({ host: config.host, port: config.s3.port });
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await proxy?.close();
  await client?.connection.close();
});

test(
  'two workers, one killed mid-generation: the other finishes the run',
  async () => {
    const taskQueue = `two-${randomUUID().slice(0, 8)}`;
    const configFile = workerConfigFile(taskQueue, proxy.endpoint);
    const runId = `test-two-${randomUUID().slice(0, 8)}`;
    workers.push(WorkerProcess.start(configFile), WorkerProcess.start(configFile));
    const handle = await startParityRun(
      client,
      { runId, taskQueue },
      {
        seed: 'two-workers',
        budget: { generations: GENERATIONS },
        testAtEnd: false,
      },
    );

    // Wait for generation 2's meta agent to run, then kill the worker running it (by its identity).
    const generation = `${runId}/gen-00002`;
    let victim: Pending | undefined;
    for (let i = 0; i < 600 && !victim; i++) {
      victim = (await pendingActivities(client, [generation])).find(
        (p) => p.type === 'selfModify' && p.started && p.worker !== undefined,
      );
      if (!victim) await sleep(100);
    }
    expect(victim).toBeDefined();
    const running = workers.findIndex((w) => victim!.worker!.startsWith(`${w.pid}@`));
    expect(running).toBeGreaterThanOrEqual(0);
    const survivor = workers[1 - running]!;
    const killedAt = Date.now();
    const killedPid = workers[running]!.pid;
    await workers[running]!.kill();
    let recoverySec: number | undefined;
    while (recoverySec === undefined && Date.now() - killedAt < 120_000) {
      await sleep(200);
      const again = (await pendingActivities(client, [generation])).find(
        (p) => p.activityId === victim!.activityId,
      );
      // The retry runs on the survivor, the only worker left.
      if (again?.started && again.attempt > victim!.attempt && (again.lastStartedMs ?? 0) > killedAt) {
        expect(again.worker?.startsWith(`${survivor.pid}@`)).toBe(true);
        recoverySec = (again.lastStartedMs! - killedAt) / 1000;
      }
    }
    expect(recoverySec).toBeDefined();

    const status = await handle.result();
    expect(status.generationsDone).toBe(GENERATIONS);
    expect(status.failures).toBe(0);
    const archive = new Archive(new S3ObjectStore(makeS3Client(config), config.s3.bucket));
    const nodes = await archive.listNodes(runId);
    expect(nodes.map((n) => n.nodeId)).toEqual(
      Array.from({ length: GENERATIONS + 1 }, (_, g) => nodeIdFor(g)),
    );
    expect(survivor.child.exitCode).toBeNull();
    // The survivor's periodic sweep removes what the dead worker's sessions left (bounded wait).
    let left = await leftoversOf(config, [killedPid]);
    for (let i = 0; i < 90 && left.length > 0; i++) {
      await sleep(1000);
      left = await leftoversOf(config, [killedPid]);
    }
    expect(left).toEqual([]);

    writeFigures('two-workers', {
      kills: 1,
      byTarget: { selfModify: 1 },
      recoverySec: [recoverySec!],
      generations: status.generationsDone,
      lost: GENERATIONS + 1 - nodes.length,
      doubled: 0,
      leftovers: 0,
    });
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  },
  10 * 60_000,
);
