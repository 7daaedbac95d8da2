/**
 * Prints the hand-written offline baseline's score per domain and split, as a Markdown table.
 * Run after a build: `node dist/bench/domain-baselines.js` (needs HYPERAGENTS_DATA_DIR or a download).
 */
import { SPLITS, type Domain, type TaskScore } from '../src/domains/contract';
import { mathGradingBaseline, mathGradingDomain, type MathGradingInput } from '../src/domains/math-grading';
import { paperReviewBaseline, paperReviewDomain, type PaperInput } from '../src/domains/paper-review';

interface Row {
  readonly domain: string;
  readonly split: string;
  readonly tasks: number;
  readonly metrics: Record<string, number>;
}

async function evaluate<I, L>(
  domain: Domain<I, L>,
  solve: (input: I) => unknown,
  seed: number,
): Promise<Row[]> {
  const loaded = await domain.loadTasks({ seed });
  const rows: Row[] = [];
  for (const split of SPLITS) {
    const perTask: TaskScore[] = [];
    for (const task of loaded.splits[split]) {
      const label = loaded.labels.get(task.id) as L;
      perTask.push(await domain.score(solve(task.input), label, { taskId: task.id }));
    }
    rows.push({
      domain: domain.name,
      split,
      tasks: perTask.length,
      metrics: { ...domain.aggregate(perTask) },
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const seed = Number(process.env.SEED ?? 0);
  const rows = [
    ...(await evaluate(paperReviewDomain, (i: PaperInput) => paperReviewBaseline(i), seed)),
    ...(await evaluate(mathGradingDomain, (i: MathGradingInput) => mathGradingBaseline(i), seed)),
  ];
  const fmt = (x: number | undefined): string => (x === undefined ? '' : x.toFixed(3));
  console.log(`Hand-written offline baselines (split seed ${seed}).\n`);
  console.log('| domain | split | tasks | score | other metrics |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const others = Object.entries(r.metrics)
      .filter(([k]) => k !== 'score')
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
    console.log(`| ${r.domain} | ${r.split} | ${r.tasks} | ${fmt(r.metrics.score)} | ${others} |`);
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
