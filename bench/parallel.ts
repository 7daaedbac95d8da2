/**
 * Parallel generations: generations per minute at parallelism 1, 2 and 4 when every LLM call takes a
 * fixed time, and whether the budget stays exact (the run's spend against the sum of its LLM call
 * logs, which record every answered call, in flight or retried). The model is the scripted LLM
 * world (test/fixtures/scripted-llm, docs/llm-test-world.md), a test rig: it measures the engine's
 * throughput and bookkeeping, and none of its scores is a result, so none is printed.
 *
 * Run after a build, stack up: `node dist/bench/parallel.js [--parallelism 1,2,4] [--generations 8]
 * [--latency-ms 2000] [--tasks 10]`. One run per parallelism on paper review (tasks per split as
 * given, no held-out test); the rate counts the generations after generation 0 over the time from
 * generation 0's end to the run's.
 */
import { parseArgs } from 'util';
import { connectClient } from '../temporal/connection';
import { loadConfig, type LoadedConfig } from '../src/config';
import { DomainRegistry } from '../src/domains';
import { numericSeed, parseRunConfig } from '../src/engine';
import { readCallLog, spendOf } from '../src/llm';
import { makeS3Client, S3ObjectStore } from '../src/storage';
import { startScriptedLlmWorld } from '../test/fixtures/scripted-llm';
import { BenchDriver, benchRunId } from './runs';

const DOMAIN = 'paper-review';
const SEED = 'parallel-bench';
/** Any price: the check is that spend and call logs agree, not what they cost. */
const PRICE = { inputUsdPerMTok: 1, outputUsdPerMTok: 1 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      parallelism: { type: 'string', default: '1,2,4' },
      generations: { type: 'string', default: '8' },
      'latency-ms': { type: 'string', default: '2000' },
      tasks: { type: 'string', default: '10' },
    },
  });
  const levels = values.parallelism.split(',').map(Number);
  const generations = Number(values.generations);
  const latencyMs = Number(values['latency-ms']);
  const tasks = Number(values.tasks);
  const sizes = { train: tasks, val: tasks, test: tasks };

  const base = loadConfig();
  const papers = await new DomainRegistry()
    .get(DOMAIN)
    .loadTasks({ seed: numericSeed(SEED), sizes, dataDir: base.dataDir });
  const keys = Object.values(papers.splits)
    .flat()
    .map((t) => [(t.input as { title: string }).title, papers.labels.get(t.id) as string] as const);
  const world = await startScriptedLlmWorld({
    seed: SEED,
    oracle: (domain, prompt) => {
      if (domain !== DOMAIN) return undefined;
      const hit = keys.find(([title]) => prompt.includes(`Title: ${title}\n`));
      return hit && `Decision: ${hit[1]}`;
    },
    faults: { fixedLatencyMs: latencyMs },
  });
  const llm = world.llmConfig();
  const config: LoadedConfig = {
    ...base,
    llm: { ...base.llm, ...llm, prices: { [llm.metaModel]: PRICE, [llm.taskModel]: PRICE } },
    run: { budget: { usd: 100 } },
  };
  const driver = await BenchDriver.open(config);
  const client = await connectClient(config);
  const store = new S3ObjectStore(makeS3Client(config), config.s3.bucket);
  const rows: string[] = [];
  let serial: number | undefined;
  try {
    for (const parallelism of levels) {
      const runId = benchRunId('bench-parallel', `p${parallelism}`);
      const run = parseRunConfig({
        method: 'dgm-h',
        domains: [DOMAIN],
        seed: SEED,
        parallelism,
        budget: { generations, usd: 100 },
        domainSplitSizes: { [DOMAIN]: sizes },
        testAtEnd: false,
      });
      const r = await driver.run(runId, run, (l) => process.stderr.write(`${l}\n`));
      const ended = Date.now();
      const startNode = await client.workflow.getHandle(`${runId}/gen-00000`).describe();
      const minutes = (ended - (startNode.closeTime?.getTime() ?? ended)) / 60_000;
      const rate = r.status.generationsDone / minutes;
      serial ??= rate;
      let logged = { usd: 0, tokens: 0 };
      for (const n of r.nodes) {
        const s = spendOf(await readCallLog(store, runId, n.nodeId));
        logged = { usd: logged.usd + s.usd, tokens: logged.tokens + s.tokens };
      }
      const exact = Math.abs(logged.usd - r.status.spentUsd) < 1e-9 && logged.tokens === r.status.spentTokens;
      rows.push(
        `| ${parallelism} | ${r.status.generationsDone} | ${minutes.toFixed(2)} | ${rate.toFixed(2)} | ` +
          `${(rate / serial).toFixed(2)}× | $${r.status.spentUsd.toFixed(6)} | $${logged.usd.toFixed(6)} | ` +
          `${r.status.spentTokens} / ${logged.tokens} | ${exact ? 'yes' : 'NO'} | ${r.status.failures} |`,
      );
    }
  } finally {
    await driver.close();
    await client.connection.close();
    await world.stop();
  }
  process.stdout.write(
    [
      `Parallel generations, ${DOMAIN} (${tasks} tasks per split), every LLM call answered after ` +
        `${latencyMs} ms by the scripted LLM world (a test rig; no score of it is a result).`,
      '',
      '| parallelism | generations | minutes after gen 0 | generations / min | speed-up | spent (run) | spent (call logs) | tokens run / logs | budget exact | failed generations |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
