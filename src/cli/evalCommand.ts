import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { scanProgramDir, type ProgramFiles } from '../agent/program';
import { SPLITS, type Split } from '../domains';
import { evaluateProgram, parseRunConfig, type EvalReport } from '../engine';
import { engineDepsFromConfig } from '../wiring/engineDeps';
import type { CliContext } from './context';
import { fmt, printSafe, safeText, table } from './format';

const PREDICTION_WIDTH = 60;

/**
 * The program in `dir`. What the program boundary leaves out (a symbolic link, a binary file) is
 * told in one line on stderr (`warn`): the program evaluated is not quite the folder the user gave.
 */
export async function readEvalProgram(
  dir: string,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<ProgramFiles> {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs)) throw new Error(`no program folder at ${abs}`);
  if (!fs.statSync(abs).isDirectory()) throw new Error(`${abs} is not a folder (expected a program folder)`);
  const { files: program, skipped } = await scanProgramDir(abs);
  if (skipped.length)
    warn(
      safeText(
        `warning: left out of the program (${skipped.length}): ` +
          skipped.map((s) => `${s.path}: ${s.reason}`).join('; '),
      ),
    );
  if (program['task_agent.mjs'] === undefined)
    throw new Error(`${abs} has no task_agent.mjs: not a hyperagent program (see src/agent/seed/README.md)`);
  return program;
}

function parseSplit(value: string): Split {
  const split = value === 'validation' ? 'val' : value;
  if (!(SPLITS as readonly string[]).includes(split))
    throw new Error(`unknown split "${value}"; use one of ${SPLITS.join(', ')}`);
  return split as Split;
}

/** One line of a prediction for a table cell. */
export function previewPrediction(prediction: unknown, width = PREDICTION_WIDTH): string {
  const text = typeof prediction === 'string' ? prediction : (JSON.stringify(prediction) ?? 'undefined');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

export function formatEvalReport(r: EvalReport): string {
  const rows = r.tasks.map((t) => [
    t.id,
    t.error !== undefined ? previewPrediction(`error: ${t.error}`) : previewPrediction(t.prediction),
    fmt(t.score),
  ]);
  const others = Object.entries(r.metrics)
    .filter(([k]) => k !== 'score')
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  return [
    `program ${r.program}`,
    `domain ${r.domain}, split ${r.split}${r.dataFile ? `, data ${r.dataFile}` : ''}, ${r.tasks.length} task(s)`,
    '',
    table(['task', 'prediction', 'score'], rows),
    '',
    `score ${fmt(r.score)}${others ? ` (${others})` : ''}`,
    ...(r.policyViolation
      ? [`policy: the program broke a rule, so this score does not count (${r.policyViolation})`]
      : []),
  ].join('\n');
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--limit must be a positive integer, got "${value}"`);
  return n;
}

export function registerEvalCommand(program: Command, ctx: CliContext): void {
  program
    .command('eval <program-dir>')
    .description("run a program's task agent on a domain in the sandbox and score it")
    .requiredOption('--domain <name>', 'domain to evaluate on (built-in or from the config)')
    .option('--split <split>', 'train | val | test (default: train, or the split of --tasks)')
    .option('--tasks <ids>', 'comma-separated task ids')
    .option('--data <file>', "a file in the domain's generic format instead of the configured data set")
    .option('--limit <n>', 'evaluate only the first n tasks', parseCount)
    .option('--json', 'print machine-readable output')
    .action(
      async (
        programDir: string,
        opts: {
          domain: string;
          split?: string;
          tasks?: string;
          data?: string;
          limit?: number;
          json?: boolean;
        },
      ) => {
        const c = ctx.config();
        const split = opts.split !== undefined ? parseSplit(opts.split) : undefined;
        const program = await readEvalProgram(programDir);
        const report = await evaluateProgram(
          await engineDepsFromConfig(c),
          {
            program,
            programPath: path.resolve(programDir),
            domain: opts.domain,
            split,
            taskIds: opts.tasks
              ?.split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            dataFile: opts.data,
            limit: opts.limit,
          },
          {
            // The run's seed, split sizes and time-outs, as an evolution would evaluate the program.
            run: parseRunConfig(c.run ?? {}),
            progress: (line) => process.stderr.write(`[eval] ${line}\n`),
          },
        );
        printSafe(opts.json ? report : formatEvalReport(report));
      },
    );
}
