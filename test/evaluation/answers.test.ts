import type { Domain, Task } from '../../src/domains/contract';
import { answerSource, evaluateSplit, scoreAnswers, type TaskAnswer } from '../../src/evaluation';

describe('answerSource', () => {
  test.each<[string, TaskAnswer, boolean, string]>([
    ['no answer', { error: 'timed out after 60000 ms' }, true, 'failed'],
    ['no answer, offline run', { error: 'solve threw' }, false, 'failed'],
    ['the model answered', { prediction: 'accept', trace: { path: 'llm' } }, true, 'model'],
    [
      'the agent fell back to its heuristic',
      { prediction: 'accept', trace: { path: 'offline' } },
      true,
      'fallback',
    ],
    ['no trace at all', { prediction: 'accept' }, true, 'fallback'],
    ['no LLM configured', { prediction: 'accept', trace: { path: 'offline' } }, false, 'offline'],
    ['a claim of the model without one', { prediction: 'accept', trace: { path: 'llm' } }, false, 'offline'],
  ])('%s', (_, answer, llm, source) => {
    expect(answerSource(answer, llm)).toBe(source);
  });
});

test('evaluateSplit counts answers by source and keeps each trace', async () => {
  const tasks: Task[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, input: id }));
  const domain: Domain = {
    name: 'echo',
    staged: { sampleSize: 4, gate: 0 },
    describe: () => '',
    loadTasks: () => Promise.reject(new Error('unused')),
    score: (prediction, label) => ({ score: prediction === label ? 1 : 0 }),
    aggregate: (perTask) => ({ score: perTask.reduce((s, t) => s + t.score, 0) / perTask.length }),
  };
  const answers: Record<string, TaskAnswer> = {
    a: { prediction: 'a', trace: { path: 'llm', tokens: 12 } },
    b: { prediction: 'b', trace: { path: 'llm' } },
    c: { prediction: 'x', trace: { path: 'offline', llmProblem: 'reply not usable' } },
    d: { error: 'timed out' },
  };
  const report = await evaluateSplit({
    domain,
    tasks,
    labels: new Map(tasks.map((t) => [t.id, t.id])),
    staged: tasks,
    gate: 0,
    run: (batch) => Promise.resolve(new Map(batch.map((t) => [t.id, answers[t.id]!]))),
    llmAvailable: true,
  });
  expect(report.answers).toEqual({ model: 2, fallback: 1, offline: 0, failed: 1 });
  expect(report.tasks.map((t) => [t.id, t.answer, t.score])).toEqual([
    ['a', 'model', 1],
    ['b', 'model', 1],
    ['c', 'fallback', 0],
    ['d', 'failed', 0],
  ]);
  expect(report.tasks[2]!.trace).toEqual({ path: 'offline', llmProblem: 'reply not usable' });
});

test('scoreAnswers hands a domain with scoreMany every answered task at once, in task order', async () => {
  const tasks: Task[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, input: id }));
  const calls: Array<Array<{ taskId: string; prediction: unknown; label: unknown }>> = [];
  const domain: Domain = {
    name: 'batched',
    staged: { sampleSize: 4, gate: 0 },
    describe: () => '',
    loadTasks: () => Promise.reject(new Error('unused')),
    score: () => {
      throw new Error('score must not be called when scoreMany is there');
    },
    scoreMany: async (items) => {
      calls.push(items.map((i) => ({ ...i })));
      return items.map((i) => ({ score: i.prediction === i.label ? 1 : 0.5, details: { taskId: i.taskId } }));
    },
    aggregate: (perTask) => ({ score: perTask.reduce((s, t) => s + t.score, 0) / perTask.length }),
  };
  const answers = new Map<string, TaskAnswer>([
    ['a', { prediction: 'a' }],
    ['b', { error: 'timed out' }],
    ['d', { prediction: 'x' }],
  ]);
  const results = await scoreAnswers(
    domain,
    tasks,
    new Map(tasks.map((t) => [t.id, t.id])),
    answers,
    {},
    false,
  );
  expect(calls).toEqual([
    [
      { taskId: 'a', prediction: 'a', label: 'a' },
      { taskId: 'd', prediction: 'x', label: 'd' },
    ],
  ]);
  expect(results.map((r) => [r.id, r.score, r.details, r.answer])).toEqual([
    ['a', 1, { taskId: 'a' }, 'offline'],
    ['b', 0, { error: 'timed out' }, 'failed'],
    ['c', 0, { error: 'no answer from the task agent' }, 'failed'],
    ['d', 0.5, { taskId: 'd' }, 'offline'],
  ]);
});
