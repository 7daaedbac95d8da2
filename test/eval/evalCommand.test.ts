/**
 * `hyperagents eval` through its Commander registration, against the real sandbox of the test
 * stack, plus the built CLI for the one-line error contract.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { projectRoot } from '../../src/host/assets';
import { CliContext } from '../../src/cli/context';
import { registerEvalCommand } from '../../src/cli/evalCommand';
import type { EvalReport } from '../../src/engine';
import { SEED_DIR } from '../../src/agent/layout';
import { DomainRegistry } from '../../src/domains';
import { numericSeed, parseRunConfig } from '../../src/engine';
import { stackConfig } from '../helpers/stack';
import { DATA_DIR, tempDir } from '../domains/helpers';

const builtins = new DomainRegistry();

const config = { ...stackConfig(), dataDir: DATA_DIR };

/** Runs `eval ...args` in-process; returns stdout text and stderr progress. */
async function evalCli(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('hyperagents').exitOverride();
  const ctx = new CliContext(() => config);
  registerEvalCommand(program, ctx);
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((m: unknown) => void out.push(String(m)));
  const write = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  try {
    await program.parseAsync(['eval', ...args], { from: 'user' });
  } finally {
    log.mockRestore();
    write.mockRestore();
    await ctx.close();
  }
  return { out: out.join('\n'), err: err.join('') };
}

async function evalJson(args: string[]): Promise<EvalReport> {
  return JSON.parse((await evalCli([...args, '--json'])).out) as EvalReport;
}

// 6 accepted and 6 rejected papers: the generic format's small-file rule gives 4 tasks per split.
const PAPERS = Array.from({ length: 12 }, (_, i) => ({
  id: `p${String(i).padStart(2, '0')}`,
  title: `Paper number ${i} on ${i % 2 ? 'graph networks' : 'sparse coding'}`,
  abstract: `We study problem ${i}. ${'Our method improves results substantially. '.repeat(1 + (i % 3))}`,
  decision: i % 2 === 0 ? 'Accept (Poster)' : 'Reject',
}));
const DECISION = new Map(PAPERS.map((p) => [p.id, p.decision.startsWith('Accept') ? 'accept' : 'reject']));

function writePapersCsv(dir: string): string {
  const file = path.join(dir, 'papers.csv');
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const rows = PAPERS.map((p) => [p.id, q(p.title), q(p.abstract), q(p.decision)].join(','));
  fs.writeFileSync(file, ['id,title,abstract,decision', ...rows].join('\n') + '\n');
  return file;
}

/** A program whose task agent always answers `accept`: on a balanced split it scores exactly 0.5. */
function writeAlwaysAccept(dir: string): string {
  const program = path.join(dir, 'always-accept');
  fs.mkdirSync(program);
  fs.writeFileSync(
    path.join(program, 'task_agent.mjs'),
    "export async function solve() { return { prediction: 'accept', trace: {} }; }\n",
  );
  return program;
}

test('--tasks on the configured paper-review data: those tasks, in order, each scored against its label', async () => {
  const run = parseRunConfig(config.run ?? {});
  const loaded = await builtins.get('paper-review').loadTasks({
    seed: numericSeed(run.seed),
    dataDir: DATA_DIR,
  });
  const ids = loaded.splits.val.slice(0, 3).map((t) => t.id);
  const report = await evalJson([SEED_DIR, '--domain', 'paper-review', '--tasks', ids.join(',')]);
  expect(report.split).toBe('val');
  expect(report.tasks.map((t) => t.id)).toEqual(ids);
  for (const t of report.tasks) {
    expect(['accept', 'reject']).toContain(t.prediction);
    expect(t.score).toBe(t.prediction === loaded.labels.get(t.id) ? 1 : 0);
  }
  expect(report.score).toBeCloseTo(report.tasks.reduce((s, t) => s + t.score, 0) / 3, 12);
});

test('--data on a generic CSV: the seed agent on its train split, scores match the file', async () => {
  const dir = tempDir('eval-data');
  const { out, err } = await evalCli([SEED_DIR, '--domain', 'paper-review', '--data', writePapersCsv(dir)]);
  const lines = out.split('\n');
  expect(lines[1]).toBe(`domain paper-review, split train, data ${path.join(dir, 'papers.csv')}, 4 task(s)`);
  // Four table rows after a blank line, the header and the rule, each "id  prediction  score".
  const rows = lines.slice(5, 9).map((l) => l.split(/\s+/));
  expect(rows).toHaveLength(4);
  for (const [id, prediction, score] of rows) {
    expect(DECISION.has(id!)).toBe(true);
    expect(score).toBe(prediction === DECISION.get(id!) ? '1.000' : '0.000');
  }
  const mean = rows.filter(([id, p]) => p === DECISION.get(id!)).length / 4;
  expect(lines.at(-1)).toMatch(new RegExp(`^score ${mean.toFixed(3)} \\(accuracy ${mean.toFixed(3)}`));
  expect(err).toContain('[eval] task agent answered 4/4 tasks');
  expect(err).toContain('[eval] scored 4/4 tasks');
});

test('a user-written program, --split val and --limit: always-accept scores 0.5 on a balanced split', async () => {
  const dir = tempDir('eval-program');
  const data = writePapersCsv(dir);
  const report = await evalJson([
    writeAlwaysAccept(dir),
    '--domain',
    'paper-review',
    '--data',
    data,
    '--split',
    'val',
  ]);
  expect(report.split).toBe('val');
  expect(report.tasks.map((t) => t.prediction)).toEqual(['accept', 'accept', 'accept', 'accept']);
  expect(report.score).toBe(0.5);
  expect(report.metrics.predictedAcceptRate).toBe(1);
  const limited = await evalJson([
    writeAlwaysAccept(tempDir('eval-lim')),
    '--domain',
    'paper-review',
    '--data',
    data,
    '--limit',
    '1',
  ]);
  expect(limited.tasks).toHaveLength(1);
  expect(limited.score).toBe(DECISION.get(limited.tasks[0]!.id) === 'accept' ? 1 : 0);
});

describe('bad input is one clear error', () => {
  test.each([
    [['/no/such/program', '--domain', 'paper-review'], 'no program folder at /no/such/program'],
    [[SEED_DIR, '--domain', 'astrology'], 'unknown domain "astrology"'],
    [[SEED_DIR, '--domain', 'paper-review', '--tasks', 'not-a-paper'], 'unknown task id "not-a-paper"'],
    [
      [SEED_DIR, '--domain', 'paper-review', '--data', '/no/such/file.csv'],
      'cannot read data file /no/such/file.csv',
    ],
    [[SEED_DIR, '--domain', 'paper-review', '--split', 'holdout'], 'unknown split "holdout"'],
    [[path.join(SEED_DIR, 'memory'), '--domain', 'paper-review'], 'has no task_agent.mjs'],
    [
      [SEED_DIR, '--domain', 'coding', '--data', __filename],
      '--data: domain coding has no generic data file format',
    ],
  ])('%j', async (args, message) => {
    await expect(evalCli(args)).rejects.toThrow(message);
  });

  test('--tasks from another split than --split', async () => {
    const run = parseRunConfig(config.run ?? {});
    const loaded = await builtins.get('paper-review').loadTasks({
      seed: numericSeed(run.seed),
      dataDir: DATA_DIR,
    });
    const id = loaded.splits.train[0]!.id;
    await expect(
      evalCli([SEED_DIR, '--domain', 'paper-review', '--split', 'val', '--tasks', id]),
    ).rejects.toThrow(`task "${id}" is in the train split, not val`);
  });

  test('a data file in the wrong format names the file', async () => {
    const bad = path.join(tempDir('eval-bad'), 'papers.csv');
    fs.writeFileSync(bad, 'name,text\nx,y\n');
    await expect(evalCli([SEED_DIR, '--domain', 'paper-review', '--data', bad])).rejects.toThrow(bad);
  });

  test('the built CLI prints `hyperagents: <message>` and exits 1', () => {
    const res = spawnSync(
      process.execPath,
      [path.join(projectRoot, 'bin/hyperagents.js'), 'eval', '/no/such/program', '--domain', 'paper-review'],
      { encoding: 'utf8', env: { ...process.env, HYPERAGENTS_DATA_DIR: DATA_DIR } },
    );
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe('hyperagents: no program folder at /no/such/program');
  });
});
