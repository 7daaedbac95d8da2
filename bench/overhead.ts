/**
 * What Temporal and S3 cost a generation. The run goes through Temporal with S3 and the sandbox, as
 * `make run` runs it (offline strategy, the default domains, one generation at a time); then:
 * - Temporal's share is the run's wall time when no activity was running (scheduling, workflow
 *   tasks, child workflows, dispatch), read from the histories' timestamps: the run's executions and
 *   every generation's, activities from started to closed;
 * - S3's share is the wall time during which the worker had at least one object-store call in
 *   flight (its store is wrapped to time them) and no sandbox session was running (the evaluation
 *   saves its answers to S3 while the session goes on, which costs no wall time): inside
 *   activities, so not counted twice. The time with any store call in flight is shown too.
 * The rest is the work itself (sandbox sessions, agents, scoring). It also prints each domain's
 * evaluation seconds per generation (its evaluateStage activities).
 *
 * Measured once with the activities on a task queue per kind of work, as `hyperagents run` places
 * them, and once with every activity on the workflows' own queue (`--queues by-kind,one`, the
 * default), one after the other.
 *
 * Run after a build, stack up, datasets in HYPERAGENTS_DATA_DIR:
 * `node dist/bench/overhead.js [--generations 5] [--domains a,b] [--queues by-kind,one]`.
 */
import type { Readable } from 'stream';
import { parseArgs } from 'util';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { connectClient } from '../temporal/connection';
import { loadConfig, type LoadedConfig } from '../src/config';
import { BUILTIN_DOMAIN_NAMES } from '../src/domains';
import { parseRunConfig } from '../src/engine';
import { makeS3Client, S3ObjectStore, type ObjectStore } from '../src/storage';
import { engineDepsFromConfig } from '../src/wiring/engineDeps';
import { BenchDriver, benchRunId, fmtSpread, spread, type BenchQueues } from './runs';

type Interval = [number, number];

/** The wall-clock intervals during which at least one of some calls was running. */
class Busy {
  readonly intervals: Interval[] = [];
  private inFlight = 0;
  private since = 0;
  async timed<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.since = Date.now();
    try {
      return await call();
    } finally {
      if (--this.inFlight === 0) this.intervals.push([this.since, Date.now()]);
    }
  }
}

/** An object store whose calls are timed. */
class TimedStore implements ObjectStore {
  readonly busy = new Busy();
  constructor(private readonly inner: ObjectStore) {}
  private timed<T>(call: () => Promise<T>): Promise<T> {
    return this.busy.timed(call);
  }
  put(key: string, body: Buffer | string, contentType?: string) {
    return this.timed(() => this.inner.put(key, body, contentType));
  }
  putStream(key: string, body: Readable) {
    return this.timed(() => this.inner.putStream(key, body));
  }
  get(key: string) {
    return this.timed(() => this.inner.get(key));
  }
  list(prefix: string) {
    return this.timed(() => this.inner.list(prefix));
  }
  delete(key: string) {
    return this.timed(() => this.inner.delete(key));
  }
}

/** Total length of the union of the intervals, clipped to [from, to]. */
function covered(intervals: Interval[], from: number, to: number): number {
  const xs = intervals
    .map(([a, b]): Interval => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((p, q) => p[0] - q[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of xs) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) =>
  Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** One activity of a history: its type, the domain its input names (evaluation stages), when it ran. */
interface Ran {
  type: string;
  domain?: string;
  interval: Interval;
}

/** Every activity of a workflow execution's history, started to closed. */
async function activitiesRun(client: Client, workflowId: string): Promise<Ran[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<number, { type: string; domain?: string }>();
  const started = new Map<number, number>();
  const out: Ran[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const data = s.input?.payloads?.[0]?.data;
      const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { domain?: unknown }) : {};
      scheduled.set(Number(e.eventId), {
        type: s.activityType?.name ?? '',
        ...(typeof input.domain === 'string' ? { domain: input.domain } : {}),
      });
    }
    if (e.activityTaskStartedEventAttributes)
      started.set(Number(e.activityTaskStartedEventAttributes.scheduledEventId), ms(e.eventTime));
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    const id = Number(closed?.scheduledEventId);
    const from = closed ? started.get(id) : undefined;
    if (from !== undefined) out.push({ ...scheduled.get(id)!, interval: [from, ms(e.eventTime)] });
  }
  return out;
}

/** One run of `generations` generations with the driver's queues `mode`: its tables, as markdown. */
async function measure(
  config: LoadedConfig,
  domains: string[],
  generations: number,
  mode: BenchQueues,
): Promise<string[]> {
  const store = new TimedStore(new S3ObjectStore(makeS3Client(config), config.s3.bucket));
  const deps = await engineDepsFromConfig(config, store);
  // Sandbox sessions timed too: S3 calls made while a session runs (checkpoints) cost no wall time.
  const sessions = new Busy();
  const sandbox = deps.sandbox;
  deps.sandbox = async () => {
    const inner = await sandbox();
    return { backend: inner.backend, run: (spec) => sessions.timed(() => inner.run(spec)) };
  };
  const driver = await BenchDriver.open(config, deps, mode);
  const client = await connectClient(config);
  const runId = benchRunId('bench-overhead', mode);
  try {
    await driver.run(
      runId,
      parseRunConfig({ domains, seed: 'overhead', budget: { generations }, testAtEnd: false }),
      (l) => process.stderr.write(`${l}\n`),
    );
  } finally {
    await driver.close();
  }

  const rows: string[] = [];
  const totals = { wall: 0, temporal: 0, s3: 0, s3All: 0 };
  /** Seconds of evaluation stages per domain, one entry per generation after gen 0. */
  const perDomain = new Map<string, number[]>(domains.map((d) => [d, []]));
  for (let g = 0; g <= generations; g++) {
    const id = `${runId}/gen-${String(g).padStart(5, '0')}`;
    const info = await client.workflow.getHandle(id).describe();
    const from = info.startTime.getTime();
    const to = info.closeTime?.getTime() ?? from;
    const wall = to - from;
    const ran = await activitiesRun(client, id);
    const temporalMs =
      wall -
      covered(
        ran.map((r) => r.interval),
        from,
        to,
      );
    if (g > 0)
      for (const d of domains)
        perDomain
          .get(d)!
          .push(
            ran
              .filter((r) => r.type === 'evaluateStage' && r.domain === d)
              .reduce((sum, r) => sum + (r.interval[1] - r.interval[0]) / 1000, 0),
          );
    const s3All = covered(store.busy.intervals, from, to);
    // S3 time outside sandbox sessions: all S3 time, less what overlapped a session.
    const both =
      s3All +
      covered(sessions.intervals, from, to) -
      covered([...store.busy.intervals, ...sessions.intervals], from, to);
    const s3 = s3All - both;
    totals.s3All += s3All;
    totals.wall += wall;
    totals.temporal += temporalMs;
    totals.s3 += s3;
    rows.push(
      `| gen-${String(g).padStart(5, '0')} | ${(wall / 1000).toFixed(2)} | ${(temporalMs / 1000).toFixed(3)} | ` +
        `${(s3All / 1000).toFixed(3)} | ${(s3 / 1000).toFixed(3)} | ${((100 * (temporalMs + s3)) / wall).toFixed(2)} % |`,
    );
  }
  // Between generations the run workflow folds one and starts the next: all Temporal, no activity.
  const run = await client.workflow.getHandle(runId).describe();
  const runWall = (run.closeTime?.getTime() ?? 0) - run.startTime.getTime();
  await client.connection.close();
  const between = runWall - totals.wall;
  return [
    `Temporal and S3 per generation, run ${runId}: ${domains.join(', ')}, offline strategy, ${generations} generations after gen 0, ${QUEUES_SAY[mode]}.`,
    '',
    '| generation | wall s | Temporal s (no activity running) | S3 s (a store call in flight) | S3 s outside sandbox sessions | Temporal + S3 outside sessions |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    `| all generations | ${(totals.wall / 1000).toFixed(2)} | ${(totals.temporal / 1000).toFixed(3)} | ` +
      `${(totals.s3All / 1000).toFixed(3)} | ${(totals.s3 / 1000).toFixed(3)} | ${((100 * (totals.temporal + totals.s3)) / totals.wall).toFixed(2)} % |`,
    `| the run (with the run workflow's own steps between generations, ${(between / 1000).toFixed(2)} s) | ` +
      `${(runWall / 1000).toFixed(2)} | ${((totals.temporal + between) / 1000).toFixed(3)} | ` +
      `${(totals.s3All / 1000).toFixed(3)} | ${(totals.s3 / 1000).toFixed(3)} | ` +
      `${((100 * (totals.temporal + between + totals.s3)) / runWall).toFixed(2)} % |`,
    '',
    'Evaluation per domain (its stages, train and val), seconds per generation after gen 0: median (min … max).',
    '',
    '| domain | seconds per generation |',
    '|---|---:|',
    ...domains.map((d) => `| ${d} | ${fmtSpread(spread(perDomain.get(d)!))} |`),
    '',
  ];
}

const QUEUES_SAY: Record<BenchQueues, string> = {
  'by-kind': 'activities on a task queue per kind of work (as `hyperagents run`)',
  one: "every activity on the workflows' queue (eager dispatch)",
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      generations: { type: 'string', default: '5' },
      domains: { type: 'string' },
      queues: { type: 'string', default: 'by-kind,one' },
    },
  });
  const modes = values.queues.split(',');
  for (const m of modes)
    if (!(m in QUEUES_SAY)) throw new Error(`--queues takes by-kind and/or one, comma-separated; got "${m}"`);
  const config = loadConfig();
  const domains = values.domains ? values.domains.split(',') : [...BUILTIN_DOMAIN_NAMES];
  // One after the other in this process, so both meet the same machine.
  for (const mode of modes as BenchQueues[])
    process.stdout.write(
      `${(await measure(config, domains, Number(values.generations), mode)).join('\n')}\n`,
    );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
