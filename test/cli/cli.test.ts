import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../src/host/assets';

/** Runs the built CLI as a user would (make test builds it first). */
function cli(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [path.join(projectRoot, 'bin/hyperagents.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

test('a bad config value is one clear line and a non-zero exit, not a stack trace', () => {
  const r = cli(['dev', 'status'], { HYPERAGENTS_S3_PORT: '99999' });
  expect(r.code).toBe(1);
  expect(r.err.trim().split('\n')).toEqual([
    'hyperagents: configuration: s3.port: Too big: expected number to be <=65535',
  ]);
});

test('a bad --queues for the worker is one line, before anything connects', () => {
  const r = cli(['worker', '--queues', 'orchestration,gpu']);
  expect(r.code).toBe(1);
  expect(r.err.trim().split('\n')).toEqual([
    'hyperagents: --queues takes kinds of work from orchestration, meta, evaluation (comma-separated), got "orchestration,gpu"',
  ]);
});

test('an unknown command fails with one line pointing at the help', () => {
  const r = cli(['frobnicate']);
  expect(r.code).not.toBe(0);
  expect(r.err.trim().split('\n')).toEqual([
    "hyperagents: unknown command 'frobnicate' (see `hyperagents --help`)",
  ]);
});

test('dev status lists the suite stack as running', () => {
  const r = cli(['dev', 'status', '--json']);
  expect(r.code).toBe(0);
  const rows = JSON.parse(r.out) as Array<{ name: string; running: boolean }>;
  expect(rows.map((s) => [s.name, s.running])).toEqual([
    ['temporal', true],
    ['s3', true],
    ['docker', true],
  ]);
});

test('a built-in domain skipped for missing data says in its one line where to put which files', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-nodata-'));
  try {
    const r = cli(['run', '--generations', '1'], {
      HYPERAGENTS_DATA_DIR: empty,
      HYPERAGENTS_CACHE_DIR: path.join(empty, 'cache'),
      HYPERAGENTS_ALLOW_DOWNLOAD: '0',
      // reward-design needs no data: a Temporal nobody listens on, so that no run starts.
      HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    // Each skipped domain said how to provide its data; then starting failed (no Temporal there).
    expect(r.code).not.toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toContain(
      `skipping domain paper-review: no data: put iclr2017_2018_title_abstract_decision.jsonl in ${empty}/paper-review/; README "Domain data" shows the layout, \`--domains paper-review\` the other ways`,
    );
    expect(lines.find((l) => l.startsWith('skipping domain math-grading:'))).toBe(
      `skipping domain math-grading: no data: put gradingbench_filtered_100_train.csv, gradingbench_filtered_100_val.csv, gradingbench_filtered_100_test.csv in ${empty}/math-grading/; README "Domain data" shows the layout, \`--domains math-grading\` the other ways`,
    );
    expect(lines.find((l) => l.startsWith('skipping domain coding:'))).toMatch(
      new RegExp(
        `^skipping domain coding: no data: put problem-specifications/exercises/\\S+, .* and \\d+ more in ${empty}/coding/;`,
      ),
    );
    expect(lines.filter((l) => l.startsWith('skipping domain '))).toHaveLength(3);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
