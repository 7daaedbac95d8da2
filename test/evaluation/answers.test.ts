import type { Domain, Task } from '../../src/domains/contract';
import { answerSource, evaluateSplit, type TaskAnswer } from '../../src/evaluation';

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
