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
import { parseArgs } from 'util';
import { loadConfig } from '../src/config';
import { BUILTIN_DOMAIN_NAMES } from '../src/domains';
import { parseRunConfig, type RunStatus } from '../src/engine';
import type { NodeRecord } from '../src/archive';
import { BenchDriver, benchRunId, bestVal, fmtScore as fmt, fullVal, median, startNode } from './runs';

interface DomainOutcome {
  startVal?: number;
  bestVal?: number;
  startTest?: number;
  bestTest?: number;
}

function outcomes(status: RunStatus, nodes: NodeRecord[]): Record<string, DomainOutcome> {
  const start = startNode(nodes);
  const out: Record<string, DomainOutcome> = {};
  for (const d of status.domains) {
    out[d] = {
      startVal: start && fullVal(start, d),
      bestVal: bestVal(nodes, d),
      startTest: status.test?.start[d],
      bestTest: status.test?.best[d],
    };
  }
  return out;
}

const diff = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

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
  const driver = await BenchDriver.open(c);
  const results: Array<{ seed: string; runId: string; by: Record<string, DomainOutcome> }> = [];
  try {
    for (let i = 1; i <= Number(values.seeds); i++) {
      const seed = `main-job-${i}`;
      const runId = benchRunId('bench-main', seed);
      const r = await driver.run(runId, parseRunConfig({ ...raw, seed }), (l) =>
        process.stderr.write(`${l}\n`),
      );
      results.push({ seed, runId, by: outcomes(r.status, r.nodes) });
    }
  } finally {
    await driver.close();
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
