import * as fs from 'fs';
import * as path from 'path';
import {
  type Layout,
  makeLayout,
  passesValidation,
  readJson,
  removeLayout,
  runScript,
  SEED_DIR,
} from './harness';

interface TaskParams {
  domains: Record<string, Record<string, unknown>>;
}
interface MetaParams {
  stepSizes: Record<string, number>;
  mutationRate: number;
  choiceRate: number;
}
const TASK_PARAMS = path.join('task', 'params.json');
const META_PARAMS = path.join('meta', 'params.json');

/** Files of `dir` that differ from the seed's (added, removed or edited), sorted. */
function changedFiles(dir: string): string[] {
  const list = (root: string) =>
    (fs.readdirSync(root, { recursive: true }) as string[]).filter((p) =>
      fs.statSync(path.join(root, p)).isFile(),
    );
  const all = new Set([...list(dir), ...list(SEED_DIR)]);
  const read = (root: string, p: string) =>
    fs.existsSync(path.join(root, p)) ? fs.readFileSync(path.join(root, p), 'utf8') : undefined;
  return [...all].filter((p) => read(dir, p) !== read(SEED_DIR, p)).sort();
}

const LABEL = 'offline evolutionary mutation (no LLM)';
const request = (seed: number) => ({
  history: [{ nodeId: 'n0', trainScores: { 'paper-review': 0.5, 'math-grading': 0.25 }, trainMean: 0.375 }],
  generationsLeft: 4,
  seed,
  domains: ['paper-review', 'math-grading'],
  limits: { maxTurns: 5, timeLimitMs: 60_000 },
});

describe('run_meta.mjs without an LLM: the seed meta agent mutates task/params.json and meta/params.json', () => {
  const layouts: Layout[] = [];
  const fresh = () => {
    const l = makeLayout();
    layouts.push(l);
    return l;
  };
  afterAll(() => layouts.forEach(removeLayout));

  it('is deterministic per seed, changes task-agent and its own meta parameters, and says it is not an LLM', async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const outA = await runScript(a, 'run_meta.mjs', request(7));
    const outB = await runScript(b, 'run_meta.mjs', request(7));
    const outC = await runScript(c, 'run_meta.mjs', request(8));
    for (const out of [outA, outB, outC]) {
      expect(out.code).toBe(0);
      expect(out.lines).toHaveLength(1);
      expect(out.lines[0]).toMatchObject({ strategy: 'offline', turns: 0 });
      expect((out.lines[0] as { summary: string }).summary).toContain(LABEL);
    }

    const seed = readJson(path.join(SEED_DIR, TASK_PARAMS)) as TaskParams;
    const pa = readJson(path.join(a.programDir, TASK_PARAMS)) as TaskParams;
    const pb = readJson(path.join(b.programDir, TASK_PARAMS)) as TaskParams;
    const pc = readJson(path.join(c.programDir, TASK_PARAMS)) as TaskParams;
    expect(pb).toEqual(pa);
    expect(pc).not.toEqual(pa);
    const seedMeta = readJson(path.join(SEED_DIR, META_PARAMS)) as MetaParams;
    const ma = readJson(path.join(a.programDir, META_PARAMS)) as MetaParams;
    expect(readJson(path.join(b.programDir, META_PARAMS))).toEqual(ma);
    // Only the run's domains mutate.
    expect(pa.domains['paper-review']).not.toEqual(seed.domains['paper-review']);
    expect(pa.domains['math-grading']).not.toEqual(seed.domains['math-grading']);
    expect(pa.domains.coding).toEqual(seed.domains.coding);
    expect(pa.domains['reward-design']).toEqual(seed.domains['reward-design']);
    // Its own mutation parameters self-adapt, for the run's domains only.
    expect(ma.mutationRate).not.toBe(seedMeta.mutationRate);
    expect(ma.choiceRate).not.toBe(seedMeta.choiceRate);
    expect(ma.stepSizes['paper-review']).not.toBe(seedMeta.stepSizes['paper-review']);
    expect(ma.stepSizes.coding).toBe(seedMeta.stepSizes.coding);
    // Nothing else changes: one file per agent, and the notes.
    expect(changedFiles(a.programDir)).toEqual(
      [META_PARAMS, path.join('memory', 'notes.md'), TASK_PARAMS].sort(),
    );

    const notes = fs.readFileSync(path.join(a.programDir, 'memory', 'notes.md'), 'utf8');
    expect(notes).toContain(`## Generation note: ${LABEL}`);
    expect(notes).toContain('train results seen: 1 entry, best train mean 0.3750');
    expect(fs.readFileSync(path.join(b.programDir, 'memory', 'notes.md'), 'utf8')).toBe(notes);
  });

  it('leaves a program that still validates, and a second generation mutates the mutated parameters', async () => {
    const l = fresh();
    await runScript(l, 'run_meta.mjs', request(1));
    const first = readJson(path.join(l.programDir, META_PARAMS)) as MetaParams;
    const again = await runScript(l, 'run_meta.mjs', { ...request(2), generationsLeft: 3 });
    expect(again.code).toBe(0);
    const second = readJson(path.join(l.programDir, META_PARAMS)) as MetaParams;
    expect(second.mutationRate).not.toBe(first.mutationRate);
    const notes = fs.readFileSync(path.join(l.programDir, 'memory', 'notes.md'), 'utf8');
    expect(notes.split(`## Generation note: ${LABEL}`)).toHaveLength(3);

    expect(await passesValidation(l)).toMatchObject({ ok: true, reasons: [] });
  });

  it("never mutates reward design's default scalar weights (what an unseen environment gets), only each training environment's", async () => {
    const seed = (readJson(path.join(SEED_DIR, TASK_PARAMS)) as TaskParams).domains['reward-design']!;
    const defaults = ['base', 'alive', 'action', 'quadraticAll', 'potentialAll'];
    let envChanges = 0;
    for (const s of [1, 2, 3, 4, 5, 6]) {
      const l = fresh();
      const out = await runScript(l, 'run_meta.mjs', { ...request(s), domains: ['reward-design'] });
      expect(out.code).toBe(0);
      const child = (readJson(path.join(l.programDir, TASK_PARAMS)) as TaskParams).domains['reward-design']!;
      expect(child).not.toEqual(seed);
      for (const k of defaults) expect(child[k]).toBe(seed[k]);
      if (JSON.stringify(child.envs) !== JSON.stringify(seed.envs)) envChanges++;
    }
    expect(envChanges).toBeGreaterThan(0);
  });

  it('answers { error } with exit code 1 when the meta agent throws', async () => {
    const l = fresh();
    fs.writeFileSync(
      path.join(l.programDir, 'meta_agent.mjs'),
      "export async function improve() { throw new Error('meta agent gave up'); }\n",
    );
    const out = await runScript(l, 'run_meta.mjs', request(1));
    expect(out.code).toBe(1);
    expect(out.lines).toEqual([{ error: 'Error: meta agent gave up' }]);
  });
});
