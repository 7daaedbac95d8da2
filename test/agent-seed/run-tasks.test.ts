import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { type Layout, makeLayout, removeLayout, runScript } from './harness';

const exec = promisify(execFile);

interface TaskLine {
  id: string;
  prediction?: unknown;
  error?: string;
  ms: number;
  trace?: { path?: string };
}

const batch = (domain: string, tasks: { id: string; input: unknown }[], extra: object = {}) => ({
  domain,
  describe: `the ${domain} domain`,
  perTaskTimeoutMs: 20_000,
  tasks,
  ...extra,
});

/** Evaluates a module's source in a fresh Node process and prints the JSON of `expression`'s value. */
async function evalModule(source: string, expression: string): Promise<unknown> {
  const script = `const m = await import('data:text/javascript,' + encodeURIComponent(${JSON.stringify(source)}));
console.log(JSON.stringify(await (async () => { ${expression} })()));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout);
}

describe('run_tasks.mjs runs the seed task agent offline, one JSON line per task', () => {
  let layout: Layout;
  beforeAll(() => {
    layout = makeLayout();
  });
  afterAll(() => removeLayout(layout));

  async function predictions(domain: string, tasks: { id: string; input: unknown }[], extra: object = {}) {
    const out = await runScript(layout, 'run_tasks.mjs', batch(domain, tasks, extra));
    expect(out.code).toBe(0);
    expect(out.lines[out.lines.length - 1]).toEqual({ done: true, count: tasks.length });
    const lines = out.lines.slice(0, -1) as TaskLine[];
    expect(lines.map((l) => l.id)).toEqual(tasks.map((t) => t.id));
    for (const l of lines) {
      expect(l.error).toBeUndefined();
      expect(l.trace?.path).toBe('offline');
    }
    return lines.map((l) => l.prediction);
  }

  it('paper-review: accept or reject by the weighted features', async () => {
    // A: theory 3 hits (1.0 * 0.6) + open source (1.0 * 0.5) > 0.4. B: hedging 3 hits (1.0 * -0.8) < 0.4.
    const got = await predictions('paper-review', [
      {
        id: 'a',
        input: {
          title: 'Sharp bounds',
          abstract: 'We prove a theorem with a proof. Code is available on github.',
          keywords: ['theory'],
        },
      },
      { id: 'b', input: { title: 'An idea', abstract: 'A preliminary toy study that might help.' } },
    ]);
    expect(got).toEqual(['accept', 'reject']);
  });

  it('math-grading: one of the four grades', async () => {
    const reference = 'By induction on n the sum of the first n odd numbers equals n squared.';
    const got = await predictions('math-grading', [
      {
        id: 'good',
        input: {
          problem: 'Show that 1 + 3 + ... + (2n-1) = n^2.',
          referenceSolution: reference,
          gradingGuidelines: 'induction',
          // coverage 1 + guideline 0.5 + conclusion 0.2 + length 0.5*~0.6 - short 0.5 ≈ 1.5 > 1.1: correct
          response: `${reference} Therefore the claim holds.`,
        },
      },
      {
        id: 'bad',
        input: {
          problem: 'Show that 1 + 3 + ... + (2n-1) = n^2.',
          referenceSolution: reference,
          gradingGuidelines: 'induction',
          // hedging 3 hits: -1 - short 0.5 + tiny length term < 0.9: incorrect
          response: 'I think it seems true, not sure.',
        },
      },
    ]);
    expect(got).toEqual(['correct', 'incorrect']);
  });

  it('coding: an ES module that answers the visible examples and, elsewhere, a searched expression', async () => {
    const input = {
      exercise: 'adder',
      description: 'Add two non-negative numbers.',
      moduleContract: 'Export add.',
      functions: [{ name: 'add', params: ['a', 'b'] }],
      examples: [
        { description: 'adds', function: 'add', args: { a: 1, b: 2 }, expected: 3 },
        { description: 'negative', function: 'add', args: { a: -1, b: -1 }, expected: { error: 'negative' } },
      ],
    };
    const [source] = await predictions('coding', [{ id: 'adder', input }]);
    expect(typeof source).toBe('string');
    const results = await evalModule(
      source as string,
      `let thrown = null; try { m.add(-1, -1); } catch (e) { thrown = e.message; }
       return [m.add(1, 2), thrown, m.add(5, 5)];`,
    );
    // Unseen arguments get the expression the program search found on the value example (a + b);
    // the expected error stays a lookup.
    expect(results).toEqual([3, 'negative', 10]);
    expect(source).toContain('//   add(a, b) = a + b');
  });

  it('reward-design: reward source that wraps the default reward', async () => {
    const input = {
      taskId: 'cartpole-balance',
      envId: 'CartPole-v1',
      title: 'CartPole: keep the pole upright',
      description: 'Balance the pole.',
      stateFields: [
        { name: 'x', description: 'cart position', scale: 2.4 },
        { name: 'theta', description: 'pole angle', scale: 0.21 },
      ],
      action: { kind: 'discrete', description: '0 left, 1 right' },
      defaultRewardSource: 'function reward(state, action, nextState, info) {\n  return 1;\n}\n',
      evaluation: 'CEM on your reward.',
    };
    const [source] = await predictions('reward-design', [{ id: 'cp#train-0', input }]);
    expect(source).toMatch(/function reward\(state, action, nextState, info\)/);
    const s = { x: 0.5, theta: 0.1 };
    const value = await evalModule(
      `${source as string}\nexport { reward };`,
      `return m.reward(${JSON.stringify(s)}, 1, ${JSON.stringify(s)}, { terminated: false, truncated: false, step: 0 });`,
    );
    // Seed parameters are neutral: base 1 × default reward 1, no shaping.
    expect(value).toBe(1);
  });

  it('an unknown domain gets the generic fallback: the first quoted option of its description', async () => {
    const out = await runScript(layout, 'run_tasks.mjs', {
      domain: 'sentiment',
      describe: 'Decide the sentiment. Return exactly one of "positive" or "negative".',
      perTaskTimeoutMs: 20_000,
      tasks: [{ id: 's1', input: { text: 'lovely' } }],
    });
    expect(out.lines[0]).toMatchObject({ id: 's1', prediction: 'positive' });
  });
});

describe('run_tasks.mjs isolates a misbehaving task agent', () => {
  let layout: Layout;
  beforeAll(() => {
    layout = makeLayout();
    fs.writeFileSync(
      path.join(layout.programDir, 'task_agent.mjs'),
      [
        "console.log('noise at import');",
        'export async function solve(input) {',
        "  console.log('noise from solve');",
        "  process.stdout.write('raw noise\\n');",
        '  if (input.loop) for (;;) {}',
        "  if (input.crash) throw new Error('boom');",
        "  if (input.bomb) { setTimeout(() => { throw new Error('late'); }, 0); return new Promise(() => {}); }",
        '  return { prediction: input.n * 2, trace: { n: input.n } };',
        '}',
      ].join('\n'),
    );
  });
  afterAll(() => removeLayout(layout));

  it('terminates a task that loops forever and still answers the others, stdout staying pure JSON', async () => {
    const out = await runScript(layout, 'run_tasks.mjs', {
      domain: 'paper-review',
      describe: '',
      perTaskTimeoutMs: 1500,
      tasks: [
        { id: 't1', input: { n: 1 } },
        { id: 'loop', input: { loop: true } },
        { id: 't2', input: { n: 3 } },
        { id: 'crash', input: { crash: true } },
        { id: 't3', input: { n: 5 } },
        { id: 'bomb', input: { bomb: true } },
        { id: 't4', input: { n: 7 } },
      ],
    });
    expect(out.code).toBe(0);
    const lines = out.lines as TaskLine[];
    expect(lines.map((l) => l.id)).toEqual(['t1', 'loop', 't2', 'crash', 't3', 'bomb', 't4', undefined]);
    expect(lines[0]).toMatchObject({ prediction: 2, trace: { n: 1 } });
    expect(lines[1]?.error).toBe('timed out after 1500 ms');
    expect(lines[1]?.prediction).toBeUndefined();
    expect(lines[2]).toMatchObject({ prediction: 6 });
    expect(lines[3]?.error).toBe('solve threw: Error: boom');
    expect(lines[4]).toMatchObject({ prediction: 10 });
    expect(lines[5]?.error).toBe('the task agent crashed: Error: late');
    expect(lines[6]).toMatchObject({ prediction: 14 });
    expect(lines[7]).toEqual({ done: true, count: 7 });
    expect(out.stderr).toContain('noise at import');
    expect(out.stderr).toContain('noise from solve');
    expect(out.stderr).toContain('raw noise');
  });
});
