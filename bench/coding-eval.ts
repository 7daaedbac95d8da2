/**
 * Coding evaluation: the seed program's coding answers on the real train and validation splits (the
 * run's default sizes; a generation evaluates both), scored stage by stage as a generation does
 * (each split's staged sample, then its rest) through the engine's scorer (`scoreAnswers` with the
 * sandbox's untrusted runner, as src/engine/splitEvaluation.ts builds it): with one harness session
 * per exercise (batch size 1, the way coding was scored before batching) and with each stage's
 * exercises batched (the domain's default). Every mode must give the same per-exercise scores, or
 * the bench fails. Prints a Markdown table. Needs the stack up (`hyperagents dev up`).
 *
 *   node dist/bench/coding-eval.js [--backend docker|bubblewrap|both] [--batch-sizes 1,32]
 *                                  [--splits train,val] [--repeat 1] [--sessions 2]
 */
import { parseArgs } from 'util';
import { seedProgram } from '../src/agent/layout';
import { sandboxBatchRunner, sandboxUntrustedRunner } from '../src/agent/sandboxRunners';
import { loadConfig } from '../src/config';
import { agentView, SPLITS, type Split, type UntrustedRunner } from '../src/domains';
import { createCodingDomain, DEFAULT_CODING_DOMAIN_OPTIONS } from '../src/domains/coding';
import { numericSeed, parseRunConfig, sizesFor } from '../src/engine';
import { evaluationConcurrency } from '../src/engine/runConfig';
import { dockerClient, stateLayout } from '../src/devstack';
import { scoreAnswers, type TaskResult } from '../src/evaluation';
import {
  BubblewrapSandbox,
  DockerSandbox,
  ensureRootfs,
  ensureSandboxImage,
  type Sandbox,
} from '../src/sandbox';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'both' },
      'batch-sizes': { type: 'string', default: `1,${DEFAULT_CODING_DOMAIN_OPTIONS.batchSize}` },
      splits: { type: 'string', default: 'train,val' },
      repeat: { type: 'string', default: '1' },
      sessions: { type: 'string', default: String(DEFAULT_CODING_DOMAIN_OPTIONS.sessions) },
    },
  });
  const batchSizes = (values['batch-sizes'] ?? '').split(',').map(Number);
  if (batchSizes.some((b) => !Number.isInteger(b) || b < 1))
    throw new Error('--batch-sizes: positive integers');
  const c = loadConfig();
  const layout = stateLayout(c);
  const docker = dockerClient(c);
  const backends: Array<[string, () => Promise<Sandbox>]> = [];
  if (values.backend === 'both' || values.backend === 'docker')
    backends.push([
      'docker',
      async () => new DockerSandbox(docker, await ensureSandboxImage(docker, layout.sandboxRoot)),
    ]);
  if (values.backend === 'both' || values.backend === 'bubblewrap')
    backends.push(['bubblewrap', async () => new BubblewrapSandbox(ensureRootfs(layout.sandboxRoot).dir)]);
  if (backends.length === 0) throw new Error(`--backend: docker, bubblewrap or both, not ${values.backend}`);

  // The seed's answers, once (the task agent's work is not what this measures).
  const run = parseRunConfig({});
  const domain = createCodingDomain();
  const loaded = await domain.loadTasks({ seed: numericSeed(run.seed), sizes: sizesFor(run, 'coding') });
  const splits = (values.splits ?? '').split(',') as Split[];
  if (splits.some((x) => !SPLITS.includes(x))) throw new Error(`--splits: of ${SPLITS.join(', ')}`);
  const repeat = Number(values.repeat);
  // A generation's stages: each split's staged sample (the domain's size), then the rest.
  const stages = splits.flatMap((split) => {
    const all = loaded.splits[split];
    const k = domain.staged.sampleSize;
    return [all.slice(0, k), all.slice(k)].filter((part) => part.length > 0);
  });
  const tasks = stages.flat();
  const first = await backends[0]![1]();
  const answers = await sandboxBatchRunner({
    sandbox: () => Promise.resolve(first),
    limits: c.sandbox,
    program: await seedProgram(),
    domain,
    perTaskSec: run.timeouts.perTaskSec,
    concurrency: evaluationConcurrency(run, domain),
    maxBatchSec: 3600,
  })(tasks.map((t) => agentView(t)));

  const rows: string[] = [];
  let reference: string | undefined;
  for (const [backend, make] of backends) {
    const sandbox = await make();
    for (const batchSize of batchSizes) {
      let sessions = 0;
      const inner = sandboxUntrustedRunner(() => Promise.resolve(sandbox), c.sandbox);
      const runUntrusted: UntrustedRunner = (req) => {
        sessions += 1;
        return inner(req);
      };
      const d = createCodingDomain({ batchSize, sessions: Number(values.sessions) });
      const times: number[] = [];
      for (let r = 0; r < repeat; r++) {
        sessions = 0;
        const started = process.hrtime.bigint();
        const results: TaskResult[] = [];
        for (const stage of stages)
          results.push(...(await scoreAnswers(d, stage, loaded.labels, answers, { runUntrusted }, false)));
        times.push(Number(process.hrtime.bigint() - started) / 1e9);
        const scores = JSON.stringify(results.map((x) => [x.id, x.score, x.details]));
        reference ??= scores;
        if (scores !== reference)
          throw new Error(`${backend}, batch size ${batchSize}: scores differ from the first mode`);
        const mean = results.reduce((sum, x) => sum + x.score, 0) / results.length;
        console.error(
          `done: ${backend}, batch size ${batchSize}: ${times.at(-1)!.toFixed(2)} s, mean score ${mean.toFixed(4)}`,
        );
      }
      const sec = times.sort((x, y) => x - y)[Math.floor(times.length / 2)]!;
      rows.push(`${backend}|${batchSize}|${tasks.length}|${sessions}|${sec}`);
    }
  }
  console.log(
    `\nThe seed's coding answers on ${splits.join(' + ')} (${tasks.length} exercises), scored in ` +
      `${stages.length} stages as a generation does; median of ${repeat} run(s)\n`,
  );
  console.log('| backend | sessions of | exercises | sessions | seconds | s per exercise | speed-up |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const base = new Map<string, number>();
  for (const row of rows) {
    const [backend, batchSize, n, sessions, sec] = row.split('|') as [string, string, string, string, string];
    const s = Number(sec);
    if (!base.has(backend)) base.set(backend, s);
    const label = batchSize === '1' ? '1 exercise' : `≤ ${batchSize} exercises`;
    console.log(
      `| ${backend} | ${label} | ${n} | ${sessions} | ${s.toFixed(2)} | ${(s / Number(n)).toFixed(3)} | ${(base.get(backend)! / s).toFixed(1)}× |`,
    );
  }
  console.log('\nPer-exercise scores and verdicts identical in every mode and run: yes');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
