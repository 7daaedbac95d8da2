import { ANSWER_LIMITS, readTaskLines } from '../../src/agent/runInSandbox';

/** run_tasks.mjs lines as the sandbox prints them. */
const stdout = (...lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n');
/** An array nested `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('task answers entering the host are bounded (ANSWER_LIMITS)', () => {
  test('a prediction over the size limit is that task error; the other tasks keep their answers', () => {
    const huge = 'x'.repeat(ANSWER_LIMITS.chars + 1);
    const lines = readTaskLines(stdout({ id: 'a', prediction: huge }, { id: 'b', prediction: 'fine' }));
    expect(lines).toEqual([
      {
        id: 'a',
        error: `prediction is ${ANSWER_LIMITS.chars + 3} characters as JSON; the limit is ${ANSWER_LIMITS.chars}`,
      },
      { id: 'b', prediction: 'fine' },
    ]);
  });

  test('a prediction at the depth limit is kept, one level more is an error', () => {
    const [kept, refused] = readTaskLines(
      stdout(
        { id: 'a', prediction: nested(ANSWER_LIMITS.depth) },
        { id: 'b', prediction: nested(ANSWER_LIMITS.depth + 1) },
      ),
    );
    expect(kept).toEqual({ id: 'a', prediction: nested(ANSWER_LIMITS.depth) });
    expect(refused).toEqual({
      id: 'b',
      error: `prediction nested deeper than ${ANSWER_LIMITS.depth} levels`,
    });
  });

  test('an oversized trace is replaced by a note and the prediction kept; a long error is cut', () => {
    const [traced, failed] = readTaskLines(
      stdout(
        { id: 'a', prediction: 1, trace: 'y'.repeat(ANSWER_LIMITS.chars) },
        { id: 'b', error: 'e'.repeat(ANSWER_LIMITS.errorChars + 500) },
      ),
    );
    expect(traced).toEqual({
      id: 'a',
      prediction: 1,
      trace: `[dropped: trace is ${ANSWER_LIMITS.chars + 2} characters as JSON; the limit is ${ANSWER_LIMITS.chars}]`,
    });
    expect(failed).toEqual({ id: 'b', error: `${'e'.repeat(ANSWER_LIMITS.errorChars)}…` });
  });
});
