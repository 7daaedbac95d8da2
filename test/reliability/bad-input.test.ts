/**
 * Issue 11, bad input: every case of badInputCases.ts, end to end through the built CLI (`npm run
 * build` first). Each prints one line naming the problem, no stack trace, exits as it should, and
 * leaves every piece of state it touched as it was. Test names are `<group>: <what>`, stable: a
 * script turns this file's results into docs/reliability.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runPrefix } from '../../src/archive/keys';
import { BadInputHarness, changes } from './badInput';
import { BAD_INPUT_CASES, stored } from './badInputCases';

/** A stack frame or an error class dump: what a user must never see. */
const STACK = /^\s+at .+[(:]\d+|^\s*(?:\w*Error|ZodError)(?: \[\w+\])?: .*\n\s+at /m;

const h = new BadInputHarness();
afterAll(() => h.close());

test('the case table has unique ids and at least 30 cases', () => {
  const ids = BAD_INPUT_CASES.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBeGreaterThanOrEqual(30);
});

test('the state checks see a change: a folder written, an object added, a node pending', async () => {
  const s = await stored(h);
  const dir = path.join(h.tempDir('export-ok'), 'out');
  const out = await h.check(['inspect', s.runId, 'gen-00001', dir], { folders: [path.dirname(dir)] });
  expect(out.code).toBe(0);
  expect(out.changed).toContainEqual(expect.stringMatching(/\/out\/node\.json: \(absent\) -> file \d+ /));
  const runState = h.runState(s.runId);
  const before = await runState();
  await h.store.put(`${runPrefix(s.runId)}extra.json`, '{}');
  expect(changes(before, await runState())).toEqual([expect.stringMatching(/extra\.json: \(absent\) -> /)]);
  expect(await (await h.liveRun()).state()).toEqual({
    pending: '["gen-00002"]',
    recorded: '[["gen-00001","approved"]]',
  });
});

describe.each(['config', 'cli', 'program', 'stored'] as const)('%s', (group) => {
  test.each(BAD_INPUT_CASES.filter((c) => c.group === group).map((c) => [`${group}: ${c.what}`, c] as const))(
    '%s',
    async (_name, c) => {
      const out = await c.run(h);
      const shown = `exit ${out.code}\nstdout: ${out.stdout.slice(0, 2000)}\nstderr: ${out.stderr.slice(0, 2000)}`;
      expect({ noStack: !STACK.test(out.stdout) && !STACK.test(out.stderr), shown }).toEqual({
        noStack: true,
        shown,
      });
      // The line: stderr itself (exactly one line), or the one the case picked from the output.
      const lines = (out.line ?? out.stderr).split('\n').filter((l) => l.trim() !== '');
      // BAD_INPUT_LINES=<file>: each case's line, one JSON object a line, for docs/reliability.md.
      if (process.env.BAD_INPUT_LINES)
        fs.appendFileSync(
          process.env.BAD_INPUT_LINES,
          `${JSON.stringify({ id: c.id, group, what: c.what, code: out.code, lines })}\n`,
        );
      expect({ lines, shown }).toEqual({ lines: [expect.stringMatching(c.expect)], shown });
      expect(out.code).toBe(out.expectCode ?? 1);
      expect(out.changed).toEqual([]);
    },
  );
});
