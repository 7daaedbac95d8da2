/**
 * The main job, repeated: N evolution runs of the configured `run` section (default 12 generations,
 * the four built-in domains, offline when no LLM is configured), each with its own seed, through the
 * real stack (Temporal, S3, the sandbox) and an in-process worker, as `make run` runs one. Prints per
 * domain the start node's validation score, the best fully evaluated validation score of the run
 * (per domain), and the held-out test of the start node and of the run's best node; then the median
 * and range of each difference over the seeds. Needs the stack up and the data
 * (`HYPERAGENTS_DATA_DIR`). Run after a build:
 * `node dist/bench/main-job.js [--seeds 5] [--generations 12] [--method dgm-h] [--domains a,b]`.
 */
import { randomBytes } from 'crypto';
import { parseArgs } from 'util';
import { connectClient } from '../temporal/connection';
import { createWorker } from '../temporal/worker';
import { evolutionRun } from '../workflows';
import { Archive, type NodeRecord } from '../src/archive';
import { loadConfig } from '../src/config';
import { BUILTIN_DOMAIN_NAMES } from '../src/domains';
import { parseRunConfig, type RunStatus } from '../src/engine';
import { makeS3Client, S3ObjectStore } from '../src/storage';

interface DomainOutcome {
  startVal?: number;
  bestVal?: number;
  startTest?: number;
  bestTest?: number;
}

/** The validation score of `node` on `domain` when the whole split was evaluated. */
function fullVal(node: NodeRecord, domain: string): number | undefined {
  const val = node.scores[domain]?.val;
  return val && val.basis === 'full' && node.validation.passed ? val.score : undefined;
}

function outcomes(status: RunStatus, nodes: NodeRecord[]): Record<string, DomainOutcome> {
  const start = nodes.find((n) => n.parentId === null);
  const out: Record<string, DomainOutcome> = {};
  for (const d of status.domains) {
    const vals = nodes.map((n) => fullVal(n, d)).filter((v): v is number => v !== undefined);
    out[d] = {
      startVal: start && fullVal(start, d),
      bestVal: vals.length > 0 ? Math.max(...vals) : undefined,
      startTest: status.test?.start[d],
      bestTest: status.test?.best[d],
    };
  }
  return out;
}

const fmt = (x: number | undefined, sign = false): string =>
  x === undefined ? '—' : `${sign && x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const diff = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '5' },
      generations: { type: 'string' },
      method: { type: 'string' },
      domains: { type: 'string' },
    },
  });
  const c = loadConfig();
  const raw: Record<string, unknown> = { ...(c.run ?? {}) };
  if (values.generations) raw.budget = { ...(raw.budget as object), generations: Number(values.generations) };
  if (values.method) raw.method = values.method;
  raw.domains = values.domains ? values.domains.split(',') : (raw.domains ?? [...BUILTIN_DOMAIN_NAMES]);
  const archive = new Archive(new S3ObjectStore(makeS3Client(c), c.s3.bucket));
  const client = await connectClient(c);
  const running = await createWorker(c);
  const results: Array<{ seed: string; runId: string; by: Record<string, DomainOutcome> }> = [];
  try {
    for (let i = 1; i <= Number(values.seeds); i++) {
      const seed = `main-job-${i}`;
      const config = parseRunConfig({ ...raw, seed });
      const runId = `bench-main-${seed}-${randomBytes(2).toString('hex')}`;
      const started = Date.now();
      process.stderr.write(
        `${runId}: ${config.method}, ${config.budget.generations} generations, ${config.domains.join(', ')}\n`,
      );
      const handle = await client.workflow.start(evolutionRun, {
        workflowId: runId,
        taskQueue: c.temporal.taskQueue,
        args: [{ runId, config }],
      });
      const status: RunStatus = await running.worker.runUntil(handle.result());
      process.stderr.write(`${runId}: done in ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
      results.push({ seed, runId, by: outcomes(status, await archive.listNodes(runId)) });
    }
  } finally {
    await running.close();
    await client.connection.close();
  }

  const domains = Object.keys(results[0]?.by ?? {});
  console.log('| seed | domain | start val | best val | Δ val | start test | best-node test | Δ test |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results)
    for (const d of domains) {
      const o = r.by[d]!;
      console.log(
        `| ${r.seed} | ${d} | ${fmt(o.startVal)} | ${fmt(o.bestVal)} | ${fmt(diff(o.bestVal, o.startVal), true)} | ` +
          `${fmt(o.startTest)} | ${fmt(o.bestTest)} | ${fmt(diff(o.bestTest, o.startTest), true)} |`,
      );
    }
  console.log('');
  console.log(`| domain | Δ val median (min … max) | Δ test median (min … max) | seeds |`);
  console.log('|---|---|---|---|');
  for (const d of domains) {
    const span = (pick: (o: DomainOutcome) => number | undefined) => {
      const xs = results.map((r) => pick(r.by[d]!)).filter((x): x is number => x !== undefined);
      return xs.length === 0
        ? '—'
        : `${fmt(median(xs), true)} (${fmt(Math.min(...xs), true)} … ${fmt(Math.max(...xs), true)})`;
    };
    console.log(
      `| ${d} | ${span((o) => diff(o.bestVal, o.startVal))} | ${span((o) => diff(o.bestTest, o.startTest))} | ${results.length} |`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
