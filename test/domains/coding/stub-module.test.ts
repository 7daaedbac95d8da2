import * as vm from 'vm';
import {
  buildCodingTask,
  DEFAULT_STUB_PARAMS,
  generateStubModule,
  scoreExercise,
  type CodingTask,
  type StubParams,
} from '../../../src/domains/coding';
import { runModule, source } from './fixtures';

async function scoreStub(task: CodingTask, params: StubParams, cases = task.label.cases) {
  const response = await runModule(generateStubModule(task.input, params), cases);
  return scoreExercise(cases, response);
}

describe('offline stub module', () => {
  // binary-search: examples return 0, 3, 0; hidden: 3 found indices (6, 9, 5) and 5 "value not in array" errors.
  const binarySearch = buildCodingTask(source.readExercise('binary-search')) as CodingTask;

  it('a "throw" fallback passes exactly the 5 hidden error cases of 8', async () => {
    const result = await scoreStub(binarySearch, { memorizeExamples: true, fallback: 'throw' });
    expect([result.passed, result.total]).toEqual([5, 8]);
  });

  it('the default fallback (first example value, 0) passes none of them', async () => {
    const result = await scoreStub(binarySearch, DEFAULT_STUB_PARAMS);
    expect([result.passed, result.total]).toEqual([0, 8]);
  });

  it('memorised examples are answered exactly, errors included', async () => {
    const hamming = buildCodingTask(source.readExercise('hamming'), {
      examples: 8,
      excludedScenarios: [],
    }) as CodingTask;
    // Score the stub on the shown examples themselves: each is a lookup hit.
    const shown = hamming.input.examples.map((e, i) => ({
      uuid: `example-${i}`,
      description: e.description,
      fn: e.function,
      args: Object.values(e.args),
      expected: e.expected,
    }));
    expect(shown.filter((c) => typeof c.expected === 'object')).toHaveLength(3);
    const result = await scoreStub(hamming, { memorizeExamples: true, fallback: 'null' }, shown);
    expect([result.passed, result.total]).toEqual([8, 8]);
    const forgetful = await scoreStub(hamming, { memorizeExamples: false, fallback: 'null' }, shown);
    expect(forgetful.passed).toBe(0);
  });

  it('loads for every exercise (all export names are legal)', async () => {
    const tasks = source
      .listSlugs()
      .map((s) => buildCodingTask(source.readExercise(s)))
      .filter((t): t is CodingTask => t !== null);
    for (const t of tasks.slice(0, 400)) {
      // Compiled as a function body (as `new Function` would), never run.
      expect(() => vm.compileFunction(generateStubModule(t.input).replace(/export /g, ''))).not.toThrow();
    }
  });
});
