/**
 * A long run on a fast domain, to show what must stay bounded as a run grows: the workflow history
 * per execution of the run (events and bytes, continue-as-new included) and per generation (which
 * must not grow), the time per generation and of its parent selection at the start and at the end
 * (selection must not slow down with the archive), the worker's memory at start and end, and the S3
 * objects and bytes a generation adds.
 *
 * Run after a build, stack up: `node dist/bench/soak.js [--generations 1000]`. The domain is the
 * parity user domain of src/domains/README.md (examples/domains/parity.js: 9 numbers, 3 per split),
 * registered through the config like any user domain; the meta agent is the seed's offline one.
 * The worker runs in this process, so its memory is this process's.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { connectClient } from '../temporal/connection';
import { statusQuery } from '../workflows/messages';
import { loadConfig } from '../src/config';
import { projectRoot } from '../src/host/assets';
import { parseRunConfig } from '../src/engine';
import { makeS3Client, S3ObjectStore } from '../src/storage';
import { mapLimit } from '../src/util/concurrency';
import { BenchDriver, benchRunId, median } from './runs';

/** The user-domain example of src/domains/README.md. */
const PARITY = path.join(projectRoot, 'examples', 'domains', 'parity.js');

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const seconds = (e: WorkflowExecutionInfo) =>
  e.closeTime ? (e.closeTime.getTime() - e.startTime.getTime()) / 1000 : NaN;

async function executions(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const e of client.workflow.list({ query })) out.push(e);
  return out;
}

/** Seconds the generation's selectParent activity ran (scheduled to completed), from its history. */
async function selectionSeconds(client: Client, workflowId: string): Promise<number | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'selectParent',
  );
  if (!scheduled?.eventTime) return undefined;
  const done = events.find(
    (e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
  );
  const t = (x: typeof scheduled) => Number(x.eventTime!.seconds) * 1000 + (x.eventTime!.nanos ?? 0) / 1e6;
  return done?.eventTime ? (t(done) - t(scheduled)) / 1000 : undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { generations: { type: 'string', default: '1000' } } });
  const generations = Number(values.generations);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  const file = path.join(dir, 'hyperagents.config.json');
  fs.writeFileSync(file, JSON.stringify({ domainModules: [{ name: 'parity', module: PARITY }] }));
  const config = loadConfig({ file, env: { ...process.env, HYPERAGENTS_CONFIG: '' } });

  const driver = await BenchDriver.open(config);
  const client = await connectClient(config);
  const runId = benchRunId('bench-soak', `g${generations}`);
  const memStart = process.memoryUsage();
  const started = Date.now();
  const progress = setInterval(() => {
    client.workflow
      .getHandle(runId)
      .query(statusQuery)
      .then(
        (s) =>
          process.stderr.write(
            `${runId}: ${s.generationsDone} of ${generations} generations, ${Math.round((Date.now() - started) / 1000)} s\n`,
          ),
        () => undefined,
      );
  }, 60_000);
  const { status } = await driver
    .run(
      runId,
      parseRunConfig({ domains: ['parity'], seed: 'soak', budget: { generations }, testAtEnd: false }),
      (l) => process.stderr.write(`${l}\n`),
    )
    .finally(() => clearInterval(progress));
  const memEnd = process.memoryUsage();
  await driver.close();

  // Visibility is eventually consistent: wait (bounded) for every generation to be listed.
  let children: WorkflowExecutionInfo[] = [];
  for (let i = 0; i < 60; i++) {
    children = await executions(
      client,
      `WorkflowId STARTS_WITH '${runId}/' AND ExecutionStatus != 'Running'`,
    );
    if (children.length >= generations + 1) break;
    await new Promise((res) => setTimeout(res, 1000));
  }
  const runs = await executions(client, `WorkflowId = '${runId}'`);
  const byGen = children
    .map((c) => ({ g: Number(c.workflowId.slice(runId.length + '/gen-'.length)), c }))
    .sort((a, b) => a.g - b.g);

  // S3: the run's own objects, and the blobs its nodes reference (shared by content, counted once).
  const store = new S3ObjectStore(makeS3Client(config), config.s3.bucket);
  const keys = await store.list(`runs/${runId}/`);
  const nodes = await driver.archive.listNodes(runId);
  const blobs = [...new Set(nodes.flatMap((n) => [n.snapshotKey, ...(n.patchKey ? [n.patchKey] : [])]))];
  const sizes = await mapLimit([...keys, ...blobs], 32, async (k) => (await store.get(k))?.length ?? 0);
  const runBytes = sizes.slice(0, keys.length).reduce((a, b) => a + b, 0);
  const blobBytes = sizes.slice(keys.length).reduce((a, b) => a + b, 0);
  const selectionKeys = keys.filter((k) => k.includes('/selection/'));
  const selectionBytes = sizes
    .slice(0, keys.length)
    .filter((_, i) => keys[i]!.includes('/selection/'))
    .reduce((a, b) => a + b, 0);

  const tenth = Math.max(1, Math.floor(byGen.length / 10));
  const first = byGen.slice(1, 1 + tenth);
  const middle = byGen.slice(Math.floor(byGen.length / 2), Math.floor(byGen.length / 2) + tenth);
  const last = byGen.slice(-tenth);
  const sample = async (xs: typeof byGen) =>
    (await mapLimit(xs, 8, (x) => selectionSeconds(client, x.c.workflowId))).filter(
      (s): s is number => s !== undefined,
    );
  const [selFirst, selMiddle, selLast] = [await sample(first), await sample(middle), await sample(last)];
  await client.connection.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const events = byGen.slice(1).map((x) => x.c.historyLength);
  const row = (label: string, xs: typeof byGen, sel: number[]) => {
    const ev = xs.map((x) => x.c.historyLength);
    const bytes = xs.map((x) => x.c.historySize ?? NaN);
    return (
      `| ${label} (gen ${xs[0]?.g}–${xs.at(-1)?.g}) | ${Math.min(...ev)} / ${median(ev)} / ${Math.max(...ev)} | ` +
      `${median(bytes)} | ${median(xs.map((x) => seconds(x.c)))?.toFixed(2)} | ${median(sel)?.toFixed(3)} |`
    );
  };
  const maxRun = runs.reduce((a, r) => (r.historyLength > a.historyLength ? r : a), runs[0]!);
  process.stdout.write(
    [
      `Soak: ${status.generationsDone} generations of the parity user domain (offline meta agent), run ${runId}, ` +
        `${((Date.now() - started) / 60_000).toFixed(1)} min, ${status.failures} failed generations.`,
      '',
      '| generations | events min / median / max | history bytes (median) | seconds per generation (median) | selectParent s (median) |',
      '|---|---:|---:|---:|---:|',
      row('first tenth', first, selFirst),
      row('a middle tenth', middle, selMiddle),
      row('last tenth', last, selLast),
      '',
      `Generation workflows: events per generation ${Math.min(...events)}–${Math.max(...events)} over all ${events.length}. ` +
        `Run workflow: ${runs.length} executions (continue-as-new), the largest ${maxRun.historyLength} events, ` +
        `${maxRun.historySize ?? '?'} bytes.`,
      `Worker memory (this process): RSS ${mib(memStart.rss)} → ${mib(memEnd.rss)} MiB, heap used ` +
        `${mib(memStart.heapUsed)} → ${mib(memEnd.heapUsed)} MiB.`,
      `S3: ${keys.length} run objects, ${mib(runBytes)} MiB (${(keys.length / generations).toFixed(1)} objects and ` +
        `${(runBytes / generations / 1024).toFixed(1)} KiB a generation; selection records ${selectionKeys.length}, ` +
        `${mib(selectionBytes)} MiB); ${blobs.length} program blobs, ${mib(blobBytes)} MiB.`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
