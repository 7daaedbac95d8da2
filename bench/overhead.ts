/**
 * What Temporal and S3 cost a generation, measured two ways on the main job's shape (the default
 * domains, offline strategy, one generation at a time, the Docker or bubblewrap sandbox):
 *
 * (a) through Temporal with S3 and the sandbox, as `hyperagents run` runs it (`by-kind`: a task
 *     queue per kind of work; `one`: every activity on the workflows' queue, eager dispatch):
 *   - Temporal's share is the wall time when no activity was running (scheduling, workflow tasks,
 *     child workflows, dispatch), read from the histories' timestamps;
 *   - S3's share is the wall time during which the worker had at least one object-store call in
 *     flight (its store is wrapped to time them) and no sandbox session was running (the evaluation
 *     saves its answers while a session goes on, which costs no wall time). The time with any store
 *     call in flight is shown too;
 * (b) `in-process`: the same steps (src/engine/generationSteps.ts) calling the same services in this
 *     process, a local folder for the object store (FileObjectStore), the same sandbox: no Temporal,
 *     no S3. The same seed gives the same generations (their scores are printed beside each other).
 *     `in-process-s3` is the same with the S3 store of (a): set beside (a) and (b), it splits what
 *     the two add into Temporal's part and S3's.
 *
 * With both, a last table sets each generation's wall time in (a) beside (b): the difference is
 * what Temporal and S3 add, within the runs' noise (CPU they take from the work on a small machine
 * included, which the histories' gaps do not show). It also lists the S3 calls outside sandbox
 * sessions by kind. It also prints each domain's evaluation seconds
 * per generation in (a) (its evaluateStage activities).
 *
 * Run after a build, stack up, datasets in HYPERAGENTS_DATA_DIR:
 * `node dist/bench/overhead.js [--generations 5] [--domains a,b] [--modes by-kind,in-process] [--repeat 1]`;
 * `--evaluation-of <run>` prints only the evaluation table of a run already in Temporal.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { Readable } from 'stream';
import { parseArgs } from 'util';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { connectClient } from '../temporal/connection';
import { loadConfig, type LoadedConfig } from '../src/config';
import { BUILTIN_DOMAIN_NAMES } from '../src/domains';
import { parseRunConfig, type GenerationResult } from '../src/engine';
import { FileObjectStore, makeS3Client, S3ObjectStore, type ObjectStore } from '../src/storage';
import { engineDepsFromConfig } from '../src/wiring/engineDeps';
import { runInProcess } from './inProcess';
import { BenchDriver, benchRunId, fmtSpread, median, spread, type BenchQueues } from './runs';

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

/** A store call's kind: the operation and the key's shape (`get runs/…/reports/…/<domain>-val.json`). */
function callKind(op: string, key: string): string {
  const shape = key
    .replace(/^runs\/[^/]+\//, 'runs/…/')
    .replace(/\/gen-\d+(?=[/.])/g, '/gen-N')
    .replace(/\/[0-9a-f]{16,}/g, '/<hash>')
    .replace(/\/[0-9a-f-]{36}(?=[/.])/g, '/<id>');
  return `${op} ${shape}`;
}

/** An object store whose calls are timed, each with its kind. */
class TimedStore implements ObjectStore {
  readonly calls: Array<{ kind: string; interval: Interval }> = [];
  constructor(private readonly inner: ObjectStore) {}
  private async timed<T>(op: string, key: string, call: () => Promise<T>): Promise<T> {
    const from = Date.now();
    try {
      return await call();
    } finally {
      this.calls.push({ kind: callKind(op, key), interval: [from, Date.now()] });
    }
  }
  put(key: string, body: Buffer | string, contentType?: string) {
    return this.timed('put', key, () => this.inner.put(key, body, contentType));
  }
  putStream(key: string, body: Readable) {
    return this.timed('put', key, () => this.inner.putStream(key, body));
  }
  get(key: string) {
    return this.timed('get', key, () => this.inner.get(key));
  }
  list(prefix: string) {
    return this.timed('list', prefix, () => this.inner.list(prefix));
  }
  delete(key: string) {
    return this.timed('delete', key, () => this.inner.delete(key));
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

type Mode = BenchQueues | InProcessMode;
/** (b) with local files, and (b) with the same S3 as (a): between them, what S3 adds alone. */
type InProcessMode = 'in-process' | 'in-process-s3';

/** One measured run: its tables, and each generation's wall time and ranking score. */
interface Measured {
  lines: string[];
  generations: Array<{ wallMs: number; score: number | undefined }>;
}

/** The engine's services with their store calls and sandbox sessions timed. */
async function timedDeps(config: LoadedConfig, inner: ObjectStore) {
  const store = new TimedStore(inner);
  const deps = await engineDepsFromConfig(config, store);
  // Sandbox sessions timed too: store calls made while a session runs (checkpoints) cost no wall time.
  const sessions = new Busy();
  const sandbox = deps.sandbox;
  deps.sandbox = async () => {
    const inner = await sandbox();
    return { backend: inner.backend, run: (spec) => sessions.timed(() => inner.run(spec)) };
  };
  /** The time in [from, to] some of `intervals` covered and no session did. */
  const outsideSessions = (intervals: Interval[], from: number, to: number) =>
    covered([...intervals, ...sessions.intervals], from, to) - covered(sessions.intervals, from, to);
  /** Store time in [from, to]: all of it, and what no session overlapped. */
  const storeTime = (from: number, to: number) => {
    const intervals = store.calls.map((c) => c.interval);
    return { all: covered(intervals, from, to), outsideSessions: outsideSessions(intervals, from, to) };
  };
  /** Per kind of store call in [from, to]: how many, and their time no session overlapped (summed over calls). */
  const byKind = (from: number, to: number) => {
    const out = new Map<string, { calls: number; outsideMs: number }>();
    for (const { kind, interval } of store.calls) {
      if (Math.min(interval[1], to) <= Math.max(interval[0], from)) continue;
      const k = out.get(kind) ?? { calls: 0, outsideMs: 0 };
      out.set(kind, { calls: k.calls + 1, outsideMs: k.outsideMs + outsideSessions([interval], from, to) });
    }
    return [...out.entries()].sort((x, y) => y[1].outsideMs - x[1].outsideMs);
  };
  return { deps, storeTime, byKind };
}

const runConfigFor = (domains: string[], generations: number) =>
  parseRunConfig({ domains, seed: 'overhead', budget: { generations }, testAtEnd: false });

const genId = (g: number) => `gen-${String(g).padStart(5, '0')}`;
const secs = (ms: number, digits = 3) => (ms / 1000).toFixed(digits);

/** A domain's evaluation in a generation: the seconds its stage activities ran, summed. */
function evaluationSeconds(ran: readonly Ran[], domain: string): number {
  return ran
    .filter((r) => r.type === 'evaluateStage' && r.domain === domain)
    .reduce((sum, r) => sum + (r.interval[1] - r.interval[0]) / 1000, 0);
}

function evaluationTable(perDomain: ReadonlyMap<string, number[]>): string[] {
  return [
    'Evaluation per domain (its stages, train and val; the domains run side by side), seconds per generation after gen 0: median (min … max).',
    '',
    '| domain | seconds per generation |',
    '|---|---:|',
    ...[...perDomain].map(([d, xs]) => `| ${d} | ${fmtSpread(spread(xs))} |`),
    '',
  ];
}

/**
 * `--evaluation-of <run>`: each domain's evaluation seconds per generation of a run already in
 * Temporal (any commit's, e.g. a `git worktree` of an older one), for a before-and-after on one day.
 */
async function evaluationOf(config: LoadedConfig, runId: string, domains: string[], generations: number) {
  const client = await connectClient(config);
  try {
    const perDomain = new Map<string, number[]>(domains.map((d) => [d, []]));
    for (let g = 1; g <= generations; g++) {
      const ran = await activitiesRun(client, `${runId}/${genId(g)}`);
      for (const d of domains) perDomain.get(d)!.push(evaluationSeconds(ran, d));
    }
    return [`Run ${runId}, ${generations} generations after gen 0.`, '', ...evaluationTable(perDomain)];
  } finally {
    await client.connection.close();
  }
}

/** (a): a run through Temporal with S3, its activities placed as `mode` says. */
async function measureTemporal(
  config: LoadedConfig,
  domains: string[],
  generations: number,
  mode: BenchQueues,
): Promise<Measured> {
  const { deps, storeTime, byKind } = await timedDeps(
    config,
    new S3ObjectStore(makeS3Client(config), config.s3.bucket),
  );
  const driver = await BenchDriver.open(config, deps, mode);
  const client = await connectClient(config);
  const runId = benchRunId('bench-overhead', mode);
  try {
    await driver.run(runId, runConfigFor(domains, generations), (l) => process.stderr.write(`${l}\n`));
  } finally {
    await driver.close();
  }

  const rows: string[] = [];
  const measured: Measured['generations'] = [];
  const totals = { wall: 0, temporal: 0, s3: 0, s3All: 0 };
  /** Seconds of evaluation stages per domain, one entry per generation after gen 0. */
  const perDomain = new Map<string, number[]>(domains.map((d) => [d, []]));
  for (let g = 0; g <= generations; g++) {
    const handle = client.workflow.getHandle(`${runId}/${genId(g)}`);
    const info = await handle.describe();
    const from = info.startTime.getTime();
    const to = info.closeTime?.getTime() ?? from;
    const wall = to - from;
    const ran = await activitiesRun(client, handle.workflowId);
    const temporalMs =
      wall -
      covered(
        ran.map((r) => r.interval),
        from,
        to,
      );
    if (g > 0) for (const d of domains) perDomain.get(d)!.push(evaluationSeconds(ran, d));
    const s3 = storeTime(from, to);
    totals.s3All += s3.all;
    totals.wall += wall;
    totals.temporal += temporalMs;
    totals.s3 += s3.outsideSessions;
    measured.push({ wallMs: wall, score: ((await handle.result()) as GenerationResult).score });
    rows.push(
      `| ${genId(g)} | ${secs(wall, 2)} | ${secs(temporalMs)} | ${secs(s3.all)} | ${secs(s3.outsideSessions)} | ` +
        `${((100 * (temporalMs + s3.outsideSessions)) / wall).toFixed(2)} % |`,
    );
  }
  // Between generations the run workflow folds one and starts the next: all Temporal, no activity.
  const run = await client.workflow.getHandle(runId).describe();
  const [runStart, runEnd] = [run.startTime.getTime(), run.closeTime?.getTime() ?? 0];
  const runWall = runEnd - runStart;
  await client.connection.close();
  const between = runWall - totals.wall;
  const lines = [
    `(a) Temporal and S3 per generation, run ${runId}: ${domains.join(', ')}, offline strategy, ${generations} generations after gen 0, ${MODES_SAY[mode]}.`,
    '',
    '| generation | wall s | Temporal s (no activity running) | S3 s (a store call in flight) | S3 s outside sandbox sessions | Temporal + S3 outside sessions |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    `| all generations | ${secs(totals.wall, 2)} | ${secs(totals.temporal)} | ${secs(totals.s3All)} | ` +
      `${secs(totals.s3)} | ${((100 * (totals.temporal + totals.s3)) / totals.wall).toFixed(2)} % |`,
    `| the run (with the run workflow's own steps between generations, ${secs(between, 2)} s) | ` +
      `${secs(runWall, 2)} | ${secs(totals.temporal + between)} | ${secs(totals.s3All)} | ${secs(totals.s3)} | ` +
      `${((100 * (totals.temporal + between + totals.s3)) / runWall).toFixed(2)} % |`,
    '',
    'S3 time outside sandbox sessions by kind of call, the ten largest, all generations (summed over calls, so calls at once count each).',
    '',
    '| call | calls | seconds outside sessions |',
    '|---|---:|---:|',
    ...byKind(runStart, runEnd)
      .slice(0, 10)
      .map(([kind, k]) => `| \`${kind}\` | ${k.calls} | ${secs(k.outsideMs)} |`),
    '',
    ...evaluationTable(perDomain),
  ];
  return { lines, generations: measured };
}

/** (b): the same generations in this process, the object store a local folder (or S3, `in-process-s3`). */
async function measureInProcess(
  config: LoadedConfig,
  domains: string[],
  generations: number,
  mode: InProcessMode,
): Promise<Measured> {
  const root = mkdtempSync(path.join(tmpdir(), 'hyperagents-overhead-'));
  try {
    const { deps, storeTime } = await timedDeps(
      config,
      mode === 'in-process'
        ? new FileObjectStore(root)
        : new S3ObjectStore(makeS3Client(config), config.s3.bucket),
    );
    const runId = benchRunId('bench-overhead', mode);
    const ran = await runInProcess(deps, runId, runConfigFor(domains, generations), (l) =>
      process.stderr.write(`${l}\n`),
    );
    const rows = ran.map(({ result, startMs, endMs }) => {
      const files = storeTime(startMs, endMs);
      return `| ${genId(result.generation)} | ${secs(endMs - startMs, 2)} | ${secs(files.all)} | ${secs(files.outsideSessions)} |`;
    });
    const lines = [
      `(b) ${MODES_SAY[mode]}, run ${runId}: ${domains.join(', ')}.`,
      '',
      '| generation | wall s | store s (a call in flight) | store s outside sandbox sessions |',
      '|---|---:|---:|---:|',
      ...rows,
      '',
    ];
    return {
      lines,
      generations: ran.map(({ result, startMs, endMs }) => ({
        wallMs: endMs - startMs,
        score: result.score,
      })),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Each generation's wall time through Temporal beside in process: per generation the median over
 * the repeats of each, then their difference; and each repeat's total after gen 0.
 */
function comparison(
  [aMode, as]: [Mode, readonly Measured[]],
  [bMode, bs]: [Mode, readonly Measured[]],
): string[] {
  const n = Math.min(...[...as, ...bs].map((m) => m.generations.length));
  const wallOf = (ms: readonly Measured[], g: number) => median(ms.map((m) => m.generations[g]!.wallMs)) ?? 0;
  const score = (ms: readonly Measured[], g: number) =>
    [...new Set(ms.map((m) => m.generations[g]!.score?.toFixed(3) ?? '–'))].join(', ');
  const rows: string[] = [];
  let sumA = 0;
  let sumB = 0;
  for (let g = 0; g < n; g++) {
    const x = wallOf(as, g);
    const y = wallOf(bs, g);
    if (g > 0) {
      sumA += x;
      sumB += y;
    }
    rows.push(
      `| ${genId(g)} | ${score(as, g)} / ${score(bs, g)} | ${secs(x, 2)} | ${secs(y, 2)} | ${secs(x - y)} | ` +
        `${((100 * (x - y)) / x).toFixed(2)} % |`,
    );
  }
  const after0 = (m: Measured) => m.generations.slice(1, n).reduce((sum, x) => sum + x.wallMs, 0);
  return [
    `${aMode} − ${bMode}: ${MODES_SAY[aMode]}, against ${MODES_SAY[bMode]}; per generation the median of ${as.length} and ${bs.length} runs.`,
    '',
    `| generation | scores ${aMode} / ${bMode} | ${aMode} wall s | ${bMode} wall s | difference s | share of ${aMode} |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    `| generations after gen 0 | | ${secs(sumA, 2)} | ${secs(sumB, 2)} | ${secs(sumA - sumB)} | ${((100 * (sumA - sumB)) / sumA).toFixed(2)} % |`,
    '',
    `Each run's generations after gen 0, seconds: ${aMode} ${as.map((m) => secs(after0(m), 2)).join(', ')}; ${bMode} ${bs.map((m) => secs(after0(m), 2)).join(', ')}.`,
    '',
  ];
}

const MODES_SAY: Record<Mode, string> = {
  'by-kind': 'activities on a task queue per kind of work (as `hyperagents run`)',
  one: "every activity on the workflows' queue (eager dispatch)",
  'in-process': 'the same steps and services in one process, the store a local folder, no Temporal',
  'in-process-s3': 'the same steps and services in one process, the store S3, no Temporal',
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      generations: { type: 'string', default: '5' },
      domains: { type: 'string' },
      modes: { type: 'string', default: 'by-kind,in-process' },
      repeat: { type: 'string', default: '1' },
      'evaluation-of': { type: 'string' },
    },
  });
  const modes = values.modes.split(',') as Mode[];
  for (const m of modes)
    if (!(m in MODES_SAY))
      throw new Error(`--modes takes ${Object.keys(MODES_SAY).join(', ')}, comma-separated; got "${m}"`);
  const config = loadConfig();
  const domains = values.domains ? values.domains.split(',') : [...BUILTIN_DOMAIN_NAMES];
  const generations = Number(values.generations);
  const earlier = values['evaluation-of'];
  if (earlier !== undefined) {
    process.stdout.write(`${(await evaluationOf(config, earlier, domains, generations)).join('\n')}\n`);
    return;
  }
  // One after the other in this process, so all meet the same machine; each repeat takes the modes
  // in the other order, so neither always runs first (a cold sandbox image, a warm page cache).
  const done = new Map<Mode, Measured[]>(modes.map((m) => [m, []]));
  for (let r = 0; r < Number(values.repeat); r++)
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
      const m =
        mode === 'in-process' || mode === 'in-process-s3'
          ? await measureInProcess(config, domains, generations, mode)
          : await measureTemporal(config, domains, generations, mode);
      done.get(mode)!.push(m);
      process.stdout.write(`${m.lines.join('\n')}\n`);
    }
  // Everything against (b); with in-process-s3 too, what Temporal adds alone and what S3 adds alone.
  const pairs: Array<[Mode, InProcessMode]> = [
    ['by-kind', 'in-process'],
    ['one', 'in-process'],
    ['by-kind', 'in-process-s3'],
    ['one', 'in-process-s3'],
    ['in-process-s3', 'in-process'],
  ];
  for (const [a, b] of pairs) {
    const [as, bs] = [done.get(a), done.get(b)];
    if (as && bs) process.stdout.write(`${comparison([a, as], [b, bs]).join('\n')}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
