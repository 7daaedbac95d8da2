/**
 * The seed task agent's offline coding path with and without its program search over the visible
 * examples (task/heuristics/coding_search.mjs), on the coding domain's real train/val/test splits.
 * Prints a Markdown table: per split, the score of the lookup table + fallback (the search off via
 * the batch's `params`) and with the search (task/params.json as the seed ships it), how many
 * functions got an expression, and the search time per task (the sum over its functions, median and
 * max), then the expressions found.
 *
 * Run after a build: `node dist/bench/coding-search.js` (HYPERAGENTS_DATA_DIR set). Splits are an
 * evolution run's: the default run config's seed and sizes. The task agent runs through the local
 * harness (run_tasks.mjs on the seed program in a temp folder, no LLM, no sandbox); the written
 * modules are scored by the coding domain's own harness and scorer as a child process on the host
 * (`allowHostExecution`: they are the seed's modules, not an LLM's), hidden cases on the host only.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sandboxFiles, seedProgram } from '../src/agent/layout';
import { agentView, SPLITS, type Task } from '../src/domains/contract';
import { createCodingDomain, type CodingLabel, type CodingTaskInput } from '../src/domains/coding';
import { numericSeed, parseRunConfig, sizesFor } from '../src/engine';

interface SearchEntry {
  function: string;
  expression: string | null;
  evaluations: number;
  ms: number;
  stop: string;
}

interface Answer {
  id: string;
  prediction?: unknown;
  trace?: { search?: SearchEntry[] };
}

/** The seed program beside the harness in a temp folder, as the sandbox lays them out. */
async function layOut(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'coding-search-'));
  for (const [p, content] of Object.entries(sandboxFiles(await seedProgram()))) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  return root;
}

/** The seed task agent on a batch (run_tasks.mjs, offline), one answer per task. */
function answers(root: string, tasks: readonly Task<CodingTaskInput>[], params: object): Answer[] {
  const domain = createCodingDomain();
  const out = spawnSync(
    process.execPath,
    [path.join(root, 'harness', 'run_tasks.mjs'), path.join(root, 'program')],
    {
      cwd: root,
      input: JSON.stringify({
        domain: 'coding',
        describe: domain.describe(),
        perTaskTimeoutMs: 60_000,
        params,
        tasks: tasks.map((t) => agentView(t)),
      }),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (out.status !== 0) throw new Error(`run_tasks.mjs failed (${out.status}): ${out.stderr}`);
  const lines = out.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Answer);
  return tasks.map((t) => lines.find((l) => l.id === t.id) ?? { id: t.id });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 0
    : s.length % 2 === 1
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

async function main(): Promise<void> {
  const run = parseRunConfig({});
  const domain = createCodingDomain({ allowHostExecution: true });
  const loaded = await domain.loadTasks({
    seed: numericSeed(run.seed),
    sizes: sizesFor(run, 'coding'),
    dataDir: process.env.HYPERAGENTS_DATA_DIR,
  });
  const root = await layOut();
  const rows: string[] = [];
  const found: string[] = [];
  try {
    for (const split of SPLITS) {
      const tasks = loaded.splits[split];
      if (tasks.length === 0) continue;
      const score = async (list: Answer[]) =>
        Promise.all(
          list.map(
            async (a) =>
              (
                await domain.score(a.prediction, loaded.labels.get(a.id) as CodingLabel, {
                  taskId: a.id,
                })
              ).score,
          ),
        );
      process.stderr.write(`${split}: lookup + fallback\n`);
      const base = await score(answers(root, tasks, { search: { enabled: false } }));
      process.stderr.write(`${split}: with the search\n`);
      const withSearch = answers(root, tasks, {});
      const searched = await score(withSearch);
      const entries = withSearch.flatMap((a) => a.trace?.search ?? []);
      const perTaskMs = withSearch.map((a) => (a.trace?.search ?? []).reduce((s, e) => s + e.ms, 0));
      const withExpression = entries.filter((e) => e.expression !== null).length;
      const solved = (xs: number[]) => xs.filter((x) => x === 1).length;
      rows.push(
        `| ${split} | ${tasks.length} | ${mean(base).toFixed(3)} (${solved(base)}) | ` +
          `${mean(searched).toFixed(3)} (${solved(searched)}) | ${withExpression} / ${entries.length} | ` +
          `${median(perTaskMs).toFixed(0)} | ${Math.max(0, ...perTaskMs).toFixed(0)} |`,
      );
      for (const [i, a] of withSearch.entries()) {
        for (const e of a.trace?.search ?? []) {
          if (e.expression === null) continue;
          const delta = searched[i]! - base[i]!;
          found.push(
            `- ${split} \`${a.id}\`: \`${e.function} = ${e.expression}\` (task score ${base[i]!.toFixed(2)} → ${searched[i]!.toFixed(2)}${delta === 0 ? '' : delta > 0 ? ', up' : ', down'})`,
          );
        }
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(
    [
      `Coding, the seed's offline path: lookup + fallback vs with the program search (split seed ${run.seed}, ` +
        `default sizes; search settings of task/params.json). Score: mean fraction of hidden cases passed ` +
        `(tasks solved in parentheses).`,
      '',
      '| split | tasks | lookup + fallback | with search | functions with an expression | search ms/task, median | max |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'Expressions found:',
      '',
      ...(found.length > 0 ? found : ['- none']),
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? error);
  process.exitCode = 1;
});
