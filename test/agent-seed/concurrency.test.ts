import * as fs from 'fs';
import * as path from 'path';
import { type Layout, makeLayout, removeLayout, runScript } from './harness';

/**
 * run_tasks.mjs runs up to `concurrency` tasks of a batch at once, each with its own time limit.
 * The task agent records when each task started and ended in its trace; the test counts overlaps
 * from those, never wall time.
 */

interface Line {
  id: string;
  error?: string;
  trace?: { start: number; end: number };
}

/** The most intervals open at one instant. */
function maxOverlap(intervals: Array<{ start: number; end: number }>): number {
  const events = intervals.flatMap((i) => [
    { at: i.start, d: 1 },
    { at: i.end, d: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.d - b.d); // an end before a start at the same instant
  let open = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (open += e.d));
  return most;
}

let layout: Layout;
beforeAll(() => {
  layout = makeLayout('run-tasks-concurrency-');
  fs.writeFileSync(
    path.join(layout.programDir, 'task_agent.mjs'),
    [
      'export async function solve(input) {',
      '  if (input.loop) for (;;) {}',
      '  const start = Date.now();',
      '  await new Promise((resolve) => setTimeout(resolve, 400));',
      '  return { prediction: input.n, trace: { start, end: Date.now() } };',
      '}',
    ].join('\n'),
  );
});
afterAll(() => removeLayout(layout));

const slowTasks = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, input: { n: i } }));

test('at most N tasks and at least 2 run at once; every task answers once, matched by id', async () => {
  const out = await runScript(layout, 'run_tasks.mjs', {
    domain: 'paper-review',
    describe: '',
    perTaskTimeoutMs: 20_000,
    concurrency: 3,
    tasks: slowTasks(9),
  });
  expect(out.code).toBe(0);
  const lines = out.lines.slice(0, -1) as Line[];
  expect(out.lines.at(-1)).toEqual({ done: true, count: 9 });
  expect(lines.map((l) => l.id).sort()).toEqual(
    slowTasks(9)
      .map((t) => t.id)
      .sort(),
  );
  const overlap = maxOverlap(lines.map((l) => l.trace!));
  expect(overlap).toBeLessThanOrEqual(3);
  expect(overlap).toBeGreaterThanOrEqual(2);
});

test('without a concurrency the batch runs one task at a time', async () => {
  const out = await runScript(layout, 'run_tasks.mjs', {
    domain: 'paper-review',
    describe: '',
    perTaskTimeoutMs: 20_000,
    tasks: slowTasks(3),
  });
  const lines = out.lines.slice(0, -1) as Line[];
  expect(maxOverlap(lines.map((l) => l.trace!))).toBe(1);
});

test('each task keeps its own time limit: one that loops times out, the others in its lanes answer', async () => {
  const out = await runScript(layout, 'run_tasks.mjs', {
    domain: 'paper-review',
    describe: '',
    perTaskTimeoutMs: 1500,
    concurrency: 2,
    tasks: [{ id: 'loop', input: { loop: true } }, ...slowTasks(4)],
  });
  const lines = out.lines.slice(0, -1) as Line[];
  expect(lines).toHaveLength(5);
  expect(lines.find((l) => l.id === 'loop')?.error).toBe('timed out after 1500 ms');
  expect(lines.filter((l) => l.error === undefined)).toHaveLength(4);
});
