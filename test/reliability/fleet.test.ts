/**
 * A fleet on loopback: three `hyperagents worker` processes, one per kind of work (`--queues
 * orchestration`, `meta`, `evaluation`). The evaluation worker is SIGKILLed while it runs a stage
 * and started again; the run completes with every generation once, and the history shows that
 * each worker ran only its kind: workflow tasks on the orchestration worker, each activity on its
 * kind's queue (workflows/taskQueues.ts) and on a worker of that kind.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Archive, nodeIdFor } from '../../src/archive';
import { WORK_KINDS, type WorkKind } from '../../src/engine';
import { makeS3Client, S3ObjectStore } from '../../src/storage';
import { connectClient } from '../../temporal/connection';
import { generationId } from '../../workflows';
import { ACTIVITY_KINDS } from '../../workflows/taskQueues';
import { stackConfig } from '../helpers/stack';
import {
  pendingActivities,
  queuesOf,
  sleep,
  startParityRun,
  workerConfigFile,
  WorkerProcess,
  type Pending,
} from './faults';

const GENERATIONS = 3;
const config = stackConfig();
const EventType = temporal.api.enums.v1.EventType;
let client: Client;
beforeAll(async () => {
  client = await connectClient(config);
});
afterAll(async () => {
  await WorkerProcess.killAll();
  await client?.connection.close();
});

/** The worker process of each identity the SDK gives (`<pid>@<host>`). */
const pidOf = (identity: string | null | undefined) => Number((identity ?? '').split('@')[0]);

test(
  'a worker per kind of work, the evaluation one killed and restarted: the run completes, each worker ran only its kind',
  async () => {
    const taskQueue = `fleet-${randomUUID().slice(0, 8)}`;
    const queues = queuesOf(taskQueue);
    const configFile = workerConfigFile(taskQueue, `http://${config.host}:${config.s3.port}`);
    const start = (kind: WorkKind) => WorkerProcess.start(configFile, {}, ['--queues', kind]);
    const pids: Record<WorkKind, number[]> = { orchestration: [], meta: [], evaluation: [] };
    const workers = {} as Record<WorkKind, WorkerProcess>;
    for (const kind of WORK_KINDS) {
      workers[kind] = start(kind);
      pids[kind].push(workers[kind].pid);
    }
    const runId = `test-fleet-${randomUUID().slice(0, 8)}`;
    const handle = await startParityRun(
      client,
      { runId, taskQueue },
      { seed: 'fleet', budget: { generations: GENERATIONS }, testAtEnd: true },
    );

    // Kill the evaluation worker in the middle of a child's evaluation stage, then start it again.
    const ids = Array.from({ length: GENERATIONS }, (_, g) => generationId(runId, g + 1));
    let victim: Pending | undefined;
    for (let i = 0; i < 900 && !victim; i++) {
      victim = (await pendingActivities(client, ids)).find((p) => p.type === 'evaluateStage' && p.started);
      if (!victim) await sleep(100);
    }
    expect(victim).toBeDefined();
    expect(pidOf(victim!.worker)).toBe(workers.evaluation.pid);
    await workers.evaluation.kill();
    workers.evaluation = start('evaluation');
    pids.evaluation.push(workers.evaluation.pid);

    const status = await handle.result();
    expect(status.generationsDone).toBe(GENERATIONS);
    expect(status.failures).toBe(0);
    expect(status.test).toBeDefined();
    const archive = new Archive(new S3ObjectStore(makeS3Client(config), config.s3.bucket));
    const nodes = await archive.listNodes(runId);
    expect(nodes.map((n) => n.nodeId)).toEqual(
      Array.from({ length: GENERATIONS + 1 }, (_, g) => nodeIdFor(g)),
    );

    // Who ran what, from the histories of the run and of every generation.
    const ran: Array<{ what: string; queue: string; kind: WorkKind; pid: number }> = [];
    let killedStageRetried = false;
    for (const workflowId of [runId, generationId(runId, 0), ...ids]) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const scheduled = new Map<string, { type: string; queue: string }>();
      for (const e of history.events ?? []) {
        const id = String(e.eventId);
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
          ran.push({
            what: `workflow task of ${workflowId}`,
            queue: taskQueue,
            kind: 'orchestration',
            pid: pidOf(e.workflowTaskStartedEventAttributes?.identity),
          });
        const s = e.activityTaskScheduledEventAttributes;
        if (s) scheduled.set(id, { type: s.activityType?.name ?? '', queue: s.taskQueue?.name ?? '' });
        const started = e.activityTaskStartedEventAttributes;
        if (started) {
          const act = scheduled.get(String(started.scheduledEventId))!;
          const kind = ACTIVITY_KINDS[act.type as keyof typeof ACTIVITY_KINDS];
          expect(kind).toBeDefined();
          ran.push({
            what: `${act.type} in ${workflowId}`,
            queue: act.queue,
            kind,
            pid: pidOf(started.identity),
          });
          if (workflowId === victim!.workflowId && act.type === 'evaluateStage' && (started.attempt ?? 1) > 1)
            killedStageRetried = true;
        }
      }
    }
    expect(killedStageRetried).toBe(true);
    const wrong = ran.filter((r) => r.queue !== queues[r.kind] || !pids[r.kind].includes(r.pid));
    expect(wrong).toEqual([]);
    // Every kind did some of the work.
    for (const kind of WORK_KINDS) expect(ran.some((r) => r.kind === kind)).toBe(true);
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  },
  3 * 60_000,
);
