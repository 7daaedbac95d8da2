import { CanonicalDataError, isErrorExpectation, parseCanonicalData } from '../../../src/domains/coding';
import { source } from './fixtures';

describe('parseCanonicalData on real exercises', () => {
  it('all-your-base: one level, 21 cases, 9 of them error expectations', () => {
    const ex = source.readExercise('all-your-base');
    expect(ex.cases).toHaveLength(21);
    expect(ex.cases.filter((c) => isErrorExpectation(c.expected))).toHaveLength(9);
    expect(ex.cases[0]).toMatchObject({
      uuid: '5ce422f9-7a4b-4f44-ad29-49c67cb32d2c',
      description: 'single bit one to decimal',
      groupPath: [],
      property: 'rebase',
      input: { inputBase: 2, digits: [1], outputBase: 10 },
      expected: [1],
    });
    expect(Object.keys(ex.cases[0]?.input ?? {})).toEqual(['inputBase', 'digits', 'outputBase']);
    expect(ex.cases[20]?.expected).toEqual({ error: 'input base must be >= 2' });
  });

  it('hamming: reimplemented cases are dropped, including along a chain', () => {
    const ex = source.readExercise('hamming');
    // 15 cases in the file; 6 are reimplemented. db92e77e reimplements 5dce058b and is itself
    // reimplemented by b764d47c, so both older ones go and only b764d47c stays.
    expect(ex.cases).toHaveLength(9);
    expect(ex.supersededUuids).toHaveLength(6);
    const uuids = ex.cases.map((c) => c.uuid);
    expect(uuids).not.toContain('5dce058b-28d4-4ca7-aa64-adfe4e17784c');
    expect(uuids).not.toContain('db92e77e-7c72-499d-8fe6-9354d2bfd504');
    expect(uuids).toContain('b764d47c-83ff-4de2-ab10-6cfe4b15c0f3');
    expect(ex.cases.filter((c) => isErrorExpectation(c.expected))).toHaveLength(4);
  });

  it('clock: four properties in groups, in document order', () => {
    const ex = source.readExercise('clock');
    expect(ex.cases).toHaveLength(52);
    const count = (p: string): number => ex.cases.filter((c) => c.property === p).length;
    expect([count('create'), count('add'), count('subtract'), count('equal')]).toEqual([20, 8, 8, 16]);
    expect(ex.cases[0]).toMatchObject({
      groupPath: ['Create a new clock with an initial time'],
      input: { hour: 8, minute: 0 },
      expected: '08:00',
    });
    expect(ex.cases[51]).toMatchObject({
      property: 'equal',
      input: { clock1: { hour: 24, minute: 0 }, clock2: { hour: 0, minute: 0 } },
      expected: true,
    });
  });

  it('grade-school: several properties and three superseded cases', () => {
    const ex = source.readExercise('grade-school');
    expect(ex.cases).toHaveLength(20);
    expect([...ex.supersededUuids].sort()).toEqual([
      '6a03b61e-1211-4783-a3cc-fc7f773fba3f',
      'a0c7b9b8-0e89-47f8-8b4a-c50f885e79d1',
      'c125dab7-2a53-492f-a99a-56ad511940d8',
    ]);
    expect([...new Set(ex.cases.map((c) => c.property))]).toEqual(['roster', 'add', 'grade']);
  });

  it('rational-numbers: groups nested two deep carry their path', () => {
    const ex = source.readExercise('rational-numbers');
    expect(ex.cases).toHaveLength(43);
    expect(ex.cases[0]).toMatchObject({
      groupPath: ['Arithmetic', 'Addition'],
      description: 'Add two positive rational numbers',
      property: 'add',
      input: { r1: [1, 2], r2: [2, 3] },
      expected: [7, 6],
    });
    expect(ex.cases[18]).toMatchObject({ groupPath: ['Absolute value'], property: 'abs' });
  });

  it('parses every exercise of the mirror that has canonical data', () => {
    const slugs = source.listSlugs();
    expect(slugs.length).toBeGreaterThan(100);
    for (const slug of slugs) expect(source.readExercise(slug).cases.length).toBeGreaterThan(0);
  });
});

describe('parseCanonicalData on synthetic input', () => {
  const file = {
    exercise: 'demo',
    cases: [
      {
        description: 'group',
        scenarios: ['unicode'],
        cases: [
          {
            uuid: 'a',
            description: 'old',
            property: 'f',
            input: { x: 1 },
            expected: 1,
          },
          {
            uuid: 'b',
            reimplements: 'a',
            description: 'new',
            scenarios: ['random'],
            property: 'f',
            input: { x: 1 },
            expected: 2,
          },
        ],
      },
    ],
  };

  it('inherits group scenarios and drops the superseded case', () => {
    const parsed = parseCanonicalData(file);
    expect(parsed.cases).toHaveLength(1);
    expect(parsed.cases[0]).toMatchObject({
      uuid: 'b',
      scenarios: ['unicode', 'random'],
      groupPath: ['group'],
    });
    expect(parsed.supersededUuids).toEqual(['a']);
  });

  it('refuses malformed files with the path of the problem', () => {
    expect(() =>
      parseCanonicalData({ exercise: 'x', cases: [{ description: 'no uuid', property: 'f' }] }),
    ).toThrow(/cases\[0\]: case without a uuid/);
    expect(() => parseCanonicalData({ exercise: 'x', cases: 'nope' })).toThrow(CanonicalDataError);
  });

  it('recognises only the schema error encoding', () => {
    expect(isErrorExpectation({ error: 'x' })).toBe(true);
    expect(isErrorExpectation({ error: 'x', other: 1 })).toBe(false);
    expect(isErrorExpectation({ error: 3 })).toBe(false);
    expect(isErrorExpectation(['error'])).toBe(false);
  });
});
