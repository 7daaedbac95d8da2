/**
 * The scripted meta model driving the seed's real tool loop (child process, real `openai` client,
 * the harness's confined tools) over a temp copy of the seed: it finds files through its tools and
 * makes the edit its plan says, within a few turns.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DEFAULT_META,
  onlyAction,
  type MetaAction,
  type ScriptedLlmWorld,
  startScriptedLlmWorld,
} from '../fixtures/scripted-llm';
import { planSession } from '../fixtures/scripted-llm/metaPlan';
import { resolveOptions } from '../fixtures/scripted-llm/options';
import { runSeedToolLoop, SEED_DIR, type SeedSessionResult } from '../fixtures/scripted-llm/seedToolLoop';
import { syntheticOracle } from '../fixtures/scripted-llm/synthetic';

const opening = (domains: string, skill = '') => [
  { role: 'system' as const, content: `${skill}You are the meta agent of a self-improving program.` },
  {
    role: 'user' as const,
    content: `Generations left: 3. Domains: ${domains}.\n\n# Files\n(see for yourself)`,
  },
];

/** Files under `dir` whose text contains `needle`, relative to `dir`. */
function filesContaining(dir: string, needle: string | RegExp): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => fs.statSync(path.join(dir, p)).isFile())
    .filter((p) => {
      const text = fs.readFileSync(path.join(dir, p), 'utf8');
      return typeof needle === 'string' ? text.includes(needle) : needle.test(text);
    })
    .sort();
}

const parses = (file: string) => spawnSync(process.execPath, ['--check', file]).status === 0;

describe('the scripted meta model in the seed tool loop', () => {
  let root: string;
  let program: string;
  let world: ScriptedLlmWorld | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripted-meta-'));
    program = path.join(root, 'program');
    fs.cpSync(SEED_DIR, program, { recursive: true });
    fs.mkdirSync(path.join(root, 'harness'));
  });
  afterEach(async () => {
    await world?.stop();
    world = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function session(
    action: MetaAction,
    domains = 'math-grading',
    skill = '',
  ): Promise<SeedSessionResult> {
    await world?.stop();
    world = await startScriptedLlmWorld({ oracle: syntheticOracle, meta: { weights: onlyAction(action) } });
    return runSeedToolLoop({
      programDir: program,
      baseURL: world.baseURL,
      model: world.options.metaModel,
      messages: opening(domains, skill),
    });
  }

  it('adds a useful hint to the task prompt of a run domain: discover, read, edit, summarise', async () => {
    const result = await session('add-useful-hint');
    expect(result).toMatchObject({ stop: 'finished', turns: 4, toolCalls: 4 });
    expect(result.final).toMatch(/^Summary: I added the hint HINT:math-grading:[a-z-]+ to the math-grading/);

    const hinted =
      /HINT:math-grading:(follow-guidelines|check-each-step|partial-credit-rules) Grades: incorrect/;
    const files = filesContaining(program, hinted);
    expect(files).toHaveLength(1);
    expect(result.edited).toEqual(files);
    expect(parses(path.join(program, files[0] ?? ''))).toBe(true);
    const calls = world?.recent().map((r) => [r.step, r.outcome]);
    expect(calls).toEqual([
      [0, 'tool-calls'],
      [1, 'tool-calls'],
      [2, 'tool-calls'],
      [3, 'final'],
    ]);
  });

  it('removes a hint that an earlier session added', async () => {
    await session('add-harmful-hint', 'paper-review');
    const [file] = filesContaining(
      program,
      /HINT:paper-review:(always-accept|judge-by-title) Was this paper/,
    );
    expect(file).toBeDefined();
    const result = await session('remove-hint', 'paper-review');
    expect(result.stop).toBe('finished');
    expect(filesContaining(program, 'HINT:')).toEqual([]);
    expect(parses(path.join(program, file ?? ''))).toBe(true);
  });

  it('edits its own instructions with a META-SKILL marker', async () => {
    const result = await session('meta-skill');
    expect(result.stop).toBe('finished');
    const files = filesContaining(program, 'META-SKILL:+1 You are the meta agent');
    expect(files).toHaveLength(1);
    expect(result.edited).toEqual(files);
    expect(parses(path.join(program, files[0] ?? ''))).toBe(true);
  });

  it('breaks the task agent with a syntax error, or by removing its export', async () => {
    const [entry] = filesContaining(program, DEFAULT_META.taskEntryAnchor);
    const entryFile = path.join(program, entry ?? 'missing');
    expect(parses(entryFile)).toBe(true);

    await session('remove-export');
    const text = fs.readFileSync(entryFile, 'utf8');
    expect(text).not.toContain('export async function solve');
    expect(text).toContain('async function solve');

    fs.writeFileSync(entryFile, text.replace('async function solve', 'export async function solve'));
    await session('syntax-error');
    expect(parses(entryFile)).toBe(false);
  });

  it('tries to edit a protected path outside the program, which the tools refuse', async () => {
    const before = filesContaining(root, /./);
    const result = await session('edit-protected');
    expect(result).toMatchObject({ stop: 'finished', turns: 3 });
    expect(result.final).toContain('refused');
    expect(fs.existsSync(path.join(root, 'harness', 'x.mjs'))).toBe(false);
    expect(filesContaining(root, /./)).toEqual(before);
  });

  it('chooses useful edits more often, and harmful ones less, the more META-SKILL its system message has', () => {
    const options = resolveOptions({ oracle: syntheticOracle });
    const shares = (skill: string) => {
      const actions = Array.from({ length: 400 }, (_, i) => {
        const messages = opening(`paper-review, session ${i}`, skill);
        return planSession({ model: 'scripted-meta', messages, tools: [{}] }, options).action;
      });
      const share = (set: MetaAction[]) => actions.filter((a) => set.includes(a)).length / actions.length;
      return {
        useful: share(['add-useful-hint', 'remove-hint']),
        harmful: share(['add-harmful-hint', 'syntax-error', 'remove-export', 'edit-protected']),
      };
    };
    const plain = shares('');
    const skilled = shares('META-SKILL:+1 META-SKILL:+1 ');
    // Default weights: useful 0.4 and harmful 0.3 of 1; with skill 2 (boost 1): 1.6 and 0.075 of 2.325.
    expect(skilled.useful - plain.useful).toBeGreaterThan(0.15);
    expect(plain.harmful - skilled.harmful).toBeGreaterThan(0.15);
  });
});
