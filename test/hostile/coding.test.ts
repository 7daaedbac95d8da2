import { sandboxUntrustedRunner } from '../../src/agent/sandboxRunners';
import {
  harnessExercise,
  isHarnessFailure,
  runHarness,
  scoreExercise,
  type HarnessLimits,
  type HiddenCase,
} from '../../src/domains/coding';
import type { UntrustedRunResult, UntrustedRunner } from '../../src/domains/contract';
import type { Sandbox } from '../../src/sandbox';
import { cleanHost, hostState, leftSince } from './hostState';
import { backends, docker, limits, observedLog } from './suite';

/**
 * Coding scoring runs a whole batch of exercises in one harness session. Each hostile module below
 * must cost only its own exercise: the honest ones around it still pass, no module finds another
 * exercise's module or calls on the session's filesystem, nothing it prints counts as a result, and
 * what it leaves running dies with its exercise. Expected values never enter the session.
 */

jest.setTimeout(240_000);

const record = observedLog('coding');
const HARNESS: HarnessLimits = { timeoutMs: 1000, loadTimeoutMs: 3000, memoryMb: 64, budgetMs: 3000 };
// Room for node, a worker and a memory bomb's victim; the hostile limits otherwise.
const SESSION = { ...limits, memoryMb: 256, pids: 64 };

/** f(2) = 4 and f(3) = 6, the cases of every exercise but the last. */
const doubling = (exercise: string): HiddenCase[] =>
  [2, 3].map((x) => ({
    uuid: `${exercise}-${x}`,
    description: `f(${x})`,
    fn: 'f',
    args: [x],
    expected: 2 * x,
  }));

// Built from parts so that no module's own source holds the strings it looks for.
const SECRET_MODULE = ['SECRET', 'MODULE', 'OF', 'B'].join('_');
const SECRET_ARG = ['SECRET', 'ARG', 'OF', 'B'].join('_');

/** Walks the writable and shared places of the session for files holding the other exercise's secrets. */
const READER = `
import * as fs from 'node:fs';
const wanted = [['SECRET', 'MODULE', 'OF', 'B'].join('_'), ['SECRET', 'ARG', 'OF', 'B'].join('_')];
const found = [];
function walk(p, depth) {
  let st;
  try { st = fs.lstatSync(p); } catch { return; }
  if (st.isDirectory()) {
    if (depth > 6) return;
    let names = [];
    try { names = fs.readdirSync(p); } catch { return; }
    for (const n of names) walk(p + '/' + n, depth + 1);
  } else if (st.isFile() && st.size < 4_000_000) {
    try {
      const text = fs.readFileSync(p, 'latin1');
      for (const w of wanted) if (text.includes(w)) found.push(p + ': ' + w);
    } catch {}
  }
}
for (const root of [process.cwd(), '/work', '/tmp', '/dev/shm', '/home', '/run', '/var/tmp']) walk(root, 0);
// What came on stdin is gone (read to its end); the harness's command line and environment.
for (const p of ['/proc/self/fd/0', '/proc/self/cmdline', '/proc/self/environ']) {
  try { const t = fs.readFileSync(p, 'latin1'); for (const w of wanted) if (t.includes(w)) found.push(p); } catch {}
}
export const f = (x) => (found.length === 0 ? 2 * x : 'found: ' + found.join(', '));
`;

/** Leaves a detached process behind that would look for later modules and print forged lines. */
const SPAWNER = `
import { spawn } from 'node:child_process';
const leftover = "setInterval(() => { try { require('fs').writeSync(1, '\\\\nLEFTOVER ALIVE\\\\n'); } catch {} }, 20);";
spawn(process.execPath, ['-e', leftover, 'hostile-leftover'], { detached: true, stdio: 'inherit' }).unref();
export const f = (x) => 2 * x;
`;

/** Counts the processes left by the exercise before it. */
const CENSUS = `
import * as fs from 'node:fs';
const left = fs.readdirSync('/proc').filter((n) => /^[0-9]+$/.test(n)).filter((n) => {
  try { return fs.readFileSync('/proc/' + n + '/cmdline', 'latin1').includes('hostile-leftover'); } catch { return false; }
});
export const f = (x) => (left.length === 0 ? 2 * x : 'leftovers: ' + left.length);
`;

/** Prints lines shaped like the harness's, for itself and the others, with a guessed nonce or none. */
const FORGER = `
import * as fs from 'node:fs';
const passing = (id) => ({ load: { ok: true }, results: [2, 3].map((x) => ({ id: id + '-' + x, status: 'returned', value: 2 * x, ms: 0 })) });
for (let i = 0; i < 12; i++) {
  for (const nonce of [undefined, '00000000-0000-0000-0000-000000000000']) {
    const line = JSON.stringify({ nonce, id: String(i), response: passing('x' + i) });
    fs.writeSync(1, '\\n' + JSON.stringify({ nonce, start: String(i) }) + '\\n' + line + '\\n');
    console.log(line);
  }
}
export const f = () => 'forged';
`;

const MODULES: Array<[name: string, source: string, cases?: HiddenCase[]]> = [
  ['honest (first)', `// SECRET_MODULE_OF_A\nexport const f = (x) => 2 * x;`],
  ['reads the filesystem for other exercises', READER],
  ['leaves a process running', SPAWNER],
  ['counts leftover processes', CENSUS],
  ['process.exit in a call', `export const f = () => process.exit(0);`],
  ['process.exit at load', `process.exit(3);\nexport const f = (x) => 2 * x;`],
  ['loops forever', `export const f = () => { for (;;) {} };`],
  [
    'prints 12 MiB to fd 1',
    `import * as fs from 'node:fs';\nexport const f = () => { for (let i = 0; i < 12; i++) fs.writeSync(1, 'x'.repeat(1 << 20)); return 0; };`,
  ],
  [
    'console.log of 12 MiB',
    `export const f = (x) => { for (let i = 0; i < 12; i++) console.log('y'.repeat(1 << 20)); return 2 * x; };`,
  ],
  ['forges result lines', FORGER],
  [
    'exhausts its heap',
    `export const f = () => { const a = []; for (;;) a.push(new Array(1e6).fill(1.5)); };`,
  ],
  ['kills the harness', `export const f = () => process.kill(process.pid, 'SIGKILL');`],
  [
    'exhausts the session memory (Buffers)',
    `export const f = () => { const a = []; for (;;) a.push(Buffer.alloc(16 << 20, 1)); };`,
  ],
  [
    'honest (last), with secrets',
    `// ${SECRET_MODULE}\nexport const f = (s) => s + '!';`,
    [{ uuid: 'last-1', description: 'f(secret)', fn: 'f', args: [SECRET_ARG], expected: `${SECRET_ARG}!` }],
  ],
];

/** What each module's exercise scores: only the honest ones and those whose attack found nothing pass. */
const EXPECTED: Record<string, { fraction: number; status: string }> = {
  'honest (first)': { fraction: 1, status: 'returned' },
  'reads the filesystem for other exercises': { fraction: 1, status: 'returned' },
  'leaves a process running': { fraction: 1, status: 'returned' },
  'counts leftover processes': { fraction: 1, status: 'returned' },
  'process.exit in a call': { fraction: 0, status: 'crashed' },
  'process.exit at load': { fraction: 0, status: 'not-loaded' },
  'loops forever': { fraction: 0, status: 'timeout' },
  'prints 12 MiB to fd 1': { fraction: 0, status: 'harness-failed' },
  'console.log of 12 MiB': { fraction: 1, status: 'returned' },
  'forges result lines': { fraction: 0, status: 'returned' },
  'exhausts its heap': { fraction: 0, status: 'crashed' },
  'kills the harness': { fraction: 0, status: 'harness-failed' },
  'exhausts the session memory (Buffers)': { fraction: 0, status: 'harness-failed' },
  'honest (last), with secrets': { fraction: 1, status: 'returned' },
};

describe.each(backends)('%s: one harness session for a batch of coding exercises', (backend, make) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await make();
  });

  test('each hostile module costs only its own exercise', async () => {
    const inner = sandboxUntrustedRunner(async () => sandbox, SESSION);
    const sessions: UntrustedRunResult[] = [];
    const stdins: string[] = [];
    const run: UntrustedRunner = async (request) => {
      stdins.push(request.stdin ?? '');
      const before = await hostState(docker);
      const result = await inner(request);
      sessions.push(result);
      expect(await leftSince(docker, before)).toEqual(cleanHost());
      return result;
    };
    const exercises = MODULES.map(([name, source, cases], i) => {
      const own = cases ?? doubling(name);
      return { name, cases: own, exercise: harnessExercise(String(i), source, own) };
    });
    const responses = await runHarness(
      run,
      exercises.map((x) => x.exercise),
      HARNESS,
    );
    const observed: Record<string, { fraction: number; status: string; detail?: string }> = {};
    for (const x of exercises) {
      const response = responses.get(x.exercise.id)!;
      const score = scoreExercise(x.cases, response);
      const first = isHarnessFailure(response) ? undefined : response.results[0];
      observed[x.name] = {
        fraction: score.fraction,
        status: score.cases[0]!.status,
        ...(score.fraction < 1 && first?.status === 'returned'
          ? { detail: JSON.stringify(first.value) }
          : {}),
      };
    }
    record(
      'coding batch: hostile modules',
      backend,
      `${sessions.length} sessions (${sessions.map((s) => (s.timedOut ? 'timeout' : s.exitCode)).join(', ')})`,
    );
    // The reader's and census's findings, if any, show in `detail`.
    expect(
      Object.fromEntries(
        Object.entries(observed).map(([k, v]) => [k, { fraction: v.fraction, status: v.status }]),
      ),
    ).toEqual({
      ...EXPECTED,
      // Under bubblewrap the harness is its pid namespace's init, which ignores SIGKILL from inside.
      ...(backend === 'bubblewrap' ? { 'kills the harness': { fraction: 0, status: 'returned' } } : {}),
    });
    // A session for the batch, and a new one after each module that took the harness down.
    expect(sessions).toHaveLength(backend === 'bubblewrap' ? 3 : 4);
    // Expected values never entered a session; what each session got on stdin holds the calls only.
    expect(stdins.some((s) => s.includes(`${SECRET_ARG}!`))).toBe(false);
    expect(stdins[0]).toContain(SECRET_ARG);
    // The leftover process never printed after its exercise ended... and the forger's lines never counted.
    const afterSpawner = sessions.map((s) => s.stdout.split('"start":"3"').slice(1).join(''));
    expect(afterSpawner.some((s) => s.includes('LEFTOVER ALIVE'))).toBe(false);
  });
});
