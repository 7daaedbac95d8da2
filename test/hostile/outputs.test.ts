import { programFromOutputs } from '../../src/agent/program';
import { readTaskLines, taskLineStream } from '../../src/agent/runInSandbox';
import type { Sandbox } from '../../src/sandbox';
import { backends, hostileRunner, node, observedLog } from './suite';

jest.setTimeout(120_000);

/*
 * What comes out of the sandbox is hostile too: file names, folder depth, program files and task
 * answers the agent wrote. Each case runs on both backends; the host must survive every output and
 * classify it as the agent's fault (a skipped entry, a refused child, a task error), never throw.
 */

const record = observedLog('outputs');

/** Shell for names the host must not take: backslashes (`..\..\x`), ESC, newline, a bidi override. */
const badNames = [
  'mkdir -p out',
  "printf a > 'out/..\\..\\x'",
  'printf b > "out/$(printf \'e\\033[31m\')"',
  'printf c > "out/$(printf \'nl\\nx\')"',
  'printf d > "out/$(printf \'rlo\\342\\200\\256txt.mjs\')"',
  'printf fine > out/ok.txt',
].join(' && ');

/** A program whose .git/config runs a command on the operator's `git status`, plus other tool files. */
const gitTrap = [
  'mkdir -p program/.git/refs/heads program/.GIT program/.vscode program/lib/.Git',
  'printf "export const solve = () => 1;\\n" > program/task_agent.mjs',
  'printf "[core]\\n\\tfsmonitor = touch /tmp/pwned\\n" > program/.git/config',
  'printf "ref: refs/heads/main\\n" > program/.git/HEAD',
  'printf "[core]\\n\\tfsmonitor = touch /tmp/pwned\\n" > program/.GIT/config',
  'printf "{}" > program/.vscode/tasks.json',
  'printf x > program/lib/.Git/config',
  'printf "eval x" > program/.envrc',
].join(' && ');

/** Prints a task line whose prediction is nested `depth` arrays deep (built without recursion). */
const deepPrediction = (depth: number) => `
  const line = '{"id":"t1","prediction":' + '['.repeat(${depth}) + ']'.repeat(${depth}) + '}\\n';
  process.stdout.write(line);
  process.stdout.write(JSON.stringify({ id: 't2', prediction: 'fine' }) + '\\n');
`;

/** Makes a folder tree `depth` levels deep by walking into it (no path is ever longer than a name). */
const deepTree = (depth: number) => `
  import * as fs from 'fs';
  fs.mkdirSync('out');
  fs.writeFileSync('out/ok.txt', 'fine');
  process.chdir('out');
  for (let i = 0; i < ${depth}; i++) { fs.mkdirSync('d'); process.chdir('d'); }
  fs.writeFileSync('deep.txt', 'deep');
  console.log(JSON.stringify({ made: ${depth} }));
`;

describe.each(backends)(
  '%s: hostile outputs are skipped or refused, never crash the host',
  (backend, make) => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await make();
    });
    const hostile = hostileRunner(backend, () => sandbox, record);

    test('backslash, control-character and bidi names in outputs: skipped with a reason', async () => {
      const res = await hostile('backslash and control-character names in outputs', {
        files: {},
        command: ['/bin/sh', '-c', badNames],
        outputs: ['out'],
      });
      expect(res.outcome).toBe('ok');
      expect(Object.keys(res.outputs.files)).toEqual(['out/ok.txt']);
      const reasons = res.outputs.skipped.map((s) => s.reason);
      expect(reasons).toHaveLength(4);
      expect(reasons.filter((r) => /backslash/.test(r))).toHaveLength(1);
      expect(reasons.filter((r) => /control or invisible format character/.test(r))).toHaveLength(3);
    });

    test('a folder tree 2,100 levels deep in outputs: the deep part is skipped, the rest copied', async () => {
      const res = await hostile('2,100-level deep folder tree in outputs', {
        ...node(deepTree(2100)),
        outputs: ['out'],
      });
      expect(res.outcome).toBe('ok');
      expect(res.stdout).toContain('"made":2100');
      expect(res.outputs.files['out/ok.txt']?.toString()).toBe('fine');
      expect(Object.keys(res.outputs.files)).toEqual(['out/ok.txt']);
      expect(res.outputs.skipped).toHaveLength(1);
      expect(res.outputs.skipped[0]!.reason).toMatch(/nested deeper than \d+ levels/);
    });

    test('a program holding .git/config with core.fsmonitor (any case), .vscode, .envrc: the child is refused', async () => {
      const res = await hostile('.git/config with core.fsmonitor in a program', {
        files: {},
        command: ['/bin/sh', '-c', gitTrap],
        outputs: ['program'],
      });
      expect(res.outcome).toBe('ok');
      expect(Object.keys(res.outputs.files)).toContain('program/.git/config');
      const child = programFromOutputs(res.outputs);
      expect(child.files).toBeUndefined();
      expect(child.refused).toMatch(/program path '\.(git|GIT|envrc|vscode)\/?.*' refused: .*tool/);
      const refusedPaths = child.skipped.map((s) => s.path);
      for (const p of [
        '.git/config',
        '.git/HEAD',
        '.GIT/config',
        '.vscode/tasks.json',
        '.envrc',
        'lib/.Git/config',
      ])
        expect(refusedPaths).toContain(p);
      record('.git/config with core.fsmonitor in a program', backend, `child refused (${child.refused})`);
    });

    test('a task prediction nested 200,000 levels deep: that task is an error, the rest are kept', async () => {
      const res = await hostile('prediction nested 200,000 levels deep', node(deepPrediction(200_000)));
      expect(res.outcome).toBe('ok');
      const lines = readTaskLines(res.stdout);
      const streamed: typeof lines = [];
      taskLineStream((l) => streamed.push(l))(Buffer.from(res.stdout));
      for (const got of [lines, streamed]) {
        expect(() => JSON.stringify(got)).not.toThrow();
        expect(got).toHaveLength(2);
        expect(Object.keys(got[0]!)).toEqual(['id', 'error']);
        expect(got[0]!.error).toMatch(/prediction nested deeper than \d+ levels/);
        expect(got[1]).toEqual({ id: 't2', prediction: 'fine' });
      }
      record('prediction nested 200,000 levels deep', backend, `task error (${lines[0]!.error})`);
    });
  },
);
