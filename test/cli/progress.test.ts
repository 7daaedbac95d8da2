import { activityStage, progressLines } from '../../src/report/progress';
import { ProgressView, rewind, worthPrinting } from '../../src/cli/progress';

/** Running generations in words (src/report/progress.ts) and the terminal's view of them (src/cli/progress.ts): pure, no client. */

test('each activity of a generation in words, evaluation stages with their tasks done of total', () => {
  expect(activityStage({ type: 'selectParent' })).toBe('selecting a parent');
  expect(activityStage({ type: 'selfModify', detail: { what: 'meta agent of gen-00003 (gen 7)' } })).toBe(
    'meta agent',
  );
  expect(
    activityStage({
      type: 'evaluateStage',
      detail: { what: 'gen-00007 on paper-review train (staged)', done: 4, total: 10 },
    }),
  ).toBe('evaluating paper-review train staged 4/10 tasks');
  // A worker of before the counts heartbeats the string alone.
  expect(activityStage({ type: 'evaluateStage', detail: 'gen-00007 on coding val (rest)' })).toBe(
    'evaluating coding val rest',
  );
  expect(activityStage({ type: 'evaluateStage' })).toBe('evaluating');
  expect(activityStage({ type: 'planEvaluation' })).toBe('evaluating (planning)');
  for (const type of ['scoreNode', 'finalizeNode', 'recordedSpend'])
    expect(activityStage({ type })).toBe('finalizing');
  // Counts never read past the total; a retried attempt says so and why.
  expect(
    activityStage({
      type: 'evaluateStage',
      detail: { what: 'gen-00002 on alpha val (staged)', done: 12, total: 10 },
      attempt: 3,
      lastFailure: 'worker lost',
    }),
  ).toBe('evaluating alpha val staged 10/10 tasks (attempt 3: worker lost)');
  // Garbage in the details is ignored, not printed.
  expect(activityStage({ type: 'evaluateStage', detail: { what: 7, done: 'x', total: -1 } })).toBe(
    'evaluating',
  );
});

test('running generations in a line each, by number', () => {
  expect(
    progressLines([
      {
        generation: 7,
        pending: [
          { type: 'evaluateStage', detail: { what: 'gen-00007 on alpha train (rest)', done: 0, total: 20 } },
        ],
      },
      { generation: 6, pending: [{ type: 'selfModify' }] },
      { generation: 8, pending: [] },
    ]),
  ).toEqual(['gen-6: meta agent', 'gen-7: evaluating alpha train rest 0/20 tasks', 'gen-8: between steps']);
});

test('plain lines: a stage change at once, task counts alone at most every 10 s', () => {
  const a = ['gen-7: evaluating alpha train staged 1/10 tasks'];
  const b = ['gen-7: evaluating alpha train staged 2/10 tasks'];
  const c = ['gen-7: finalizing'];
  expect(worthPrinting(undefined, a, 0)).toBe(true);
  expect(worthPrinting(undefined, [], 0)).toBe(false);
  expect(worthPrinting(a, a, 60_000)).toBe(false);
  expect(worthPrinting(a, b, 3_000)).toBe(false);
  expect(worthPrinting(a, b, 10_000)).toBe(true);
  expect(worthPrinting(b, c, 1)).toBe(true);
});

test('not a TTY: plain lines, no cursor control; a TTY: the generations redrawn in place', () => {
  const plain = new ProgressView(false);
  const stage = (n: number) => [`gen-1: evaluating alpha train staged ${n}/10 tasks`];
  const out = [
    plain.update(['[00:00:01] generation 0/3'], stage(1), 0),
    plain.update([], stage(2), 2_000),
    plain.update([], stage(3), 12_000),
    plain.update(['[00:00:20] generation 1/3'], ['gen-2: meta agent'], 20_000),
    plain.finish(),
  ];
  expect(out).toEqual([
    '[00:00:01] generation 0/3\n  gen-1: evaluating alpha train staged 1/10 tasks\n',
    '',
    '  gen-1: evaluating alpha train staged 3/10 tasks\n',
    '[00:00:20] generation 1/3\n  gen-2: meta agent\n',
    '',
  ]);
  // eslint-disable-next-line no-control-regex
  expect(out.join('')).not.toMatch(/\x1b/);

  const tty = new ProgressView(true);
  expect(tty.update(['run line'], stage(1), 0)).toBe(`run line\n  ${stage(1)[0]}\n`);
  expect(tty.update([], stage(1), 500)).toBe('');
  expect(tty.update([], stage(2), 1_000)).toBe(`${rewind(1)}  ${stage(2)[0]}\n`);
  expect(tty.update(['next line'], [], 2_000)).toBe(`${rewind(1)}next line\n`);
  expect(tty.finish()).toBe('');
  expect(rewind(2)).toBe('\x1b[2F\x1b[J');
});
