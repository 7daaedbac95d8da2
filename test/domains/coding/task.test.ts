import { agentView } from '../../../src/domains/contract';
import { buildCodingTask, type CodingExercise } from '../../../src/domains/coding';
import { source } from './fixtures';

describe('buildCodingTask', () => {
  it('clock: examples take the first case of each property; the rest is hidden', () => {
    const task = buildCodingTask(source.readExercise('clock'), { examples: 3, excludedScenarios: [] });
    expect(task?.id).toBe('clock');
    expect(task?.input.functions).toEqual([
      { name: 'create', params: ['hour', 'minute'] },
      { name: 'add', params: ['hour', 'minute', 'value'] },
      { name: 'subtract', params: ['hour', 'minute', 'value'] },
      { name: 'equal', params: ['clock1', 'clock2'] },
    ]);
    expect(task?.input.examples).toEqual([
      {
        description: 'Create a new clock with an initial time > on the hour',
        function: 'create',
        args: { hour: 8, minute: 0 },
        expected: '08:00',
      },
      {
        description: 'Add minutes > add minutes',
        function: 'add',
        args: { hour: 10, minute: 0, value: 3 },
        expected: '10:03',
      },
      {
        description: 'Subtract minutes > subtract minutes',
        function: 'subtract',
        args: { hour: 10, minute: 3, value: 3 },
        expected: '10:00',
      },
    ]);
    expect(task?.label.cases).toHaveLength(49);
    expect(task?.label.cases[0]).toMatchObject({ fn: 'create', args: [11, 9], expected: '11:09' });
  });

  it('hamming: one property, so the examples are simply the first three live cases', () => {
    const task = buildCodingTask(source.readExercise('hamming'));
    expect(task?.input.examples.map((e) => e.args)).toEqual([
      { strand1: '', strand2: '' },
      { strand1: 'A', strand2: 'A' },
      { strand1: 'G', strand2: 'T' },
    ]);
    expect(task?.label.cases.map((c) => c.expected)).toEqual([
      0,
      9,
      { error: 'strands must be of equal length' },
      { error: 'strands must be of equal length' },
      { error: 'strands must be of equal length' },
      { error: 'strands must be of equal length' },
    ]);
  });

  it('drops cases of excluded scenarios (prose expectations such as random ones)', () => {
    const ex = source.readExercise('dnd-character');
    const all = buildCodingTask(ex, { examples: 0, excludedScenarios: [] });
    const kept = buildCodingTask(ex, { examples: 0, excludedScenarios: ['random'] });
    const randomCount = ex.cases.filter((c) => c.scenarios.includes('random')).length;
    expect(randomCount).toBeGreaterThan(0);
    expect(kept?.label.cases.length).toBe((all?.label.cases.length ?? 0) - randomCount);
    expect(kept?.label.cases.some((c) => typeof c.expected === 'string' && c.expected.includes('>='))).toBe(
      false,
    );
  });

  it('always keeps at least one case hidden', () => {
    const task = buildCodingTask(source.readExercise('hello-world'), { examples: 3, excludedScenarios: [] });
    expect(task?.input.examples).toEqual([]);
    expect(task?.label.cases).toHaveLength(1);
  });
});

describe('the agent view holds no hidden case', () => {
  const SECRET = 'SECRET-EXPECTED-7f3a';
  const exercise: CodingExercise = {
    slug: 'demo',
    description: 'Return the secret.',
    deprecated: false,
    supersededUuids: [],
    cases: ['one', 'two', 'three'].map((d, i) => ({
      uuid: `uuid-${d}`,
      description: d,
      groupPath: ['g'],
      property: 'secret',
      input: { n: i },
      expected: i === 0 ? 'shown' : `${SECRET}-${i}`,
      scenarios: [],
      comments: [],
    })),
  };

  it('contains neither the hidden expected values nor the hidden uuids', () => {
    const task = buildCodingTask(exercise, { examples: 1, excludedScenarios: [] });
    if (task === null) throw new Error('no task');
    const seen = JSON.stringify(agentView(task));
    expect(seen).toContain('shown');
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toContain('uuid-');
    expect(task.label.cases.map((c) => c.expected)).toEqual([`${SECRET}-1`, `${SECRET}-2`]);
  });

  it('on every real exercise: no hidden uuid or (call, expected) pair among the examples', () => {
    for (const slug of source.listSlugs()) {
      const task = buildCodingTask(source.readExercise(slug));
      if (task === null) continue;
      const seen = JSON.stringify(agentView(task));
      for (const c of task.label.cases) {
        expect(seen).not.toContain(c.uuid);
        const leaked = task.input.examples.some(
          (e) =>
            e.function === c.fn &&
            JSON.stringify(Object.values(e.args)) === JSON.stringify(c.args.filter((a) => a !== undefined)) &&
            JSON.stringify(e.expected) === JSON.stringify(c.expected),
        );
        expect(leaked).toBe(false);
      }
      expect(Object.keys(task.input).sort()).toEqual([
        'description',
        'examples',
        'exercise',
        'functions',
        'moduleContract',
      ]);
    }
  });
});
