import { spawnSync } from 'child_process';
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
