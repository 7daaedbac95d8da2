/**
 * The seed meta agent's offline learner (no LLM), through the real harness: run_meta.mjs with a
 * workspace of train examples the test writes, then run_tasks.mjs answering held-out tasks the
 * program never saw.
 */
import * as fs from 'fs';
import * as path from 'path';
import { META_SET } from '../../src/agent/layout';
import { workspaceFiles, type TrainExamples } from '../../src/agent/workspace';
import {
  type Layout,
  makeLayout,
  passesValidation,
  readJson,
  removeLayout,
  runScript,
  SEED_DIR,
} from './harness';

const META_PARAMS = path.join('meta', 'params.json');
const TASK_PARAMS = path.join('task', 'params.json');
const LEARNER = 'offline learner (no LLM)';

interface LearnerSettings {
  rate: number;
  mutationRate: number;
  rateBounds: number[];
  domains: Record<string, Record<string, unknown>>;
}
interface MetaParams {
  tau: number;
  choiceRate: number;
  learner: LearnerSettings;
}
interface ModelFile {
  domain: string;
  classes: string[];
  fit: { ids: string[]; examples: number; cvAccuracy: number; by: string };
  members: unknown[];
}

/** A small deterministic stream (the test's own, so the data is the same on every run). */
function stream(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

const FILLER = 'model data learning network training method results neural deep graph task loss'.split(' ');

/** Papers whose abstract holds the marker word "zephyr" are accepted; the rest are rejected. */
function papers(prefix: string, n: number, seed: number) {
  const next = stream(seed);
  return Array.from({ length: n }, (_, i) => {
    const accept = i % 2 === 0;
    const words = Array.from({ length: 30 }, () => FILLER[Math.floor(next() * FILLER.length)]!);
    if (accept) words.splice(Math.floor(next() * 30), 0, 'zephyr');
    return {
      id: `${prefix}${i}`,
      input: { title: `Paper ${prefix}${i}`, abstract: words.join(' ') },
      label: accept ? 'accept' : 'reject',
    };
  });
}

/** Responses that restate the reference are "correct"; ones about something else "incorrect". */
function proofs(prefix: string, n: number, seed: number) {
  const next = stream(seed);
  const reference =
    'By induction on n the inequality holds: the base case is immediate, and the step follows from convexity.';
  return Array.from({ length: n }, (_, i) => {
    const correct = i % 2 === 0;
    const other = Array.from({ length: 20 }, () => FILLER[Math.floor(next() * FILLER.length)]!).join(' ');
    return {
      id: `${prefix}${i}`,
      input: {
        problem: 'Prove the inequality for every n.',
        referenceSolution: reference,
        gradingGuidelines: '(Partial)\n 1. Set up the induction.\n(Almost)\n 1. Minor slips.',
        response: correct ? `${reference} ${other.slice(0, 40)}` : `I think ${other}. It seems true.`,
      },
      label: { grade: correct ? 'correct' : 'incorrect', points: correct ? 7 : 0 },
    };
  });
}

type Item = { id: string; input: unknown; label: unknown };
const expected = (label: unknown) => (typeof label === 'string' ? label : (label as { grade: string }).grade);

function examplesOf(domain: string, items: Item[]): TrainExamples {
  return {
    domain,
    describe: `the ${domain} domain`,
    split: 'train',
    node: 'gen-00000',
    comparison: 'exact',
    examples: items.map((t) => ({
      id: t.id,
      input: t.input,
      prediction: 'reject',
      label: t.label,
      expected: expected(t.label),
      score: 0,
    })),
  };
}

/** Writes the engine's workspace (train examples only) into the layout's program. */
function writeWorkspace(layout: Layout, sets: TrainExamples[]): void {
  const files = workspaceFiles({ nodeId: 'gen-00000', lineage: ['gen-00000'], nodes: [] } as never, sets);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(layout.programDir, p)), { recursive: true });
    fs.writeFileSync(path.join(layout.programDir, p), content);
  }
}

/** The papers, with the authors' keywords telling accepted ones ("Sparse coding") from the rest. */
function withKeywords(items: Item[]): Item[] {
  return items.map((t) => ({
    ...t,
    input: {
      ...(t.input as object),
      abstract: 'model data learning network',
      keywords: t.label === 'accept' ? ['Deep learning', 'Sparse coding'] : ['Deep learning', 'Vision'],
    },
  }));
}

/**
 * Sets the learner to always run (rate ~1) and, if `frozenSettings`, its settings not to move;
 * `families` replaces paper review's (the seed's default has no word features).
 */
function forceLearner(
  layout: Layout,
  frozenSettings: boolean,
  families: string[] | null = ['words', 'bigrams', 'heuristic'],
): void {
  const file = path.join(layout.programDir, META_PARAMS);
  const meta = readJson(file) as MetaParams;
  meta.learner.rate = 1;
  meta.learner.rateBounds = [0, 1];
  if (families) meta.learner.domains['paper-review']!.families = families;
  if (frozenSettings) {
    meta.learner.mutationRate = 0;
    meta.choiceRate = 0;
  }
  fs.writeFileSync(file, `${JSON.stringify(meta, null, 2)}\n`);
}

const request = (seed: number, domains: string[]) => ({
  history: [],
  generationsLeft: 3,
  seed,
  domains,
  limits: { maxTurns: 5, timeLimitMs: 60_000 },
});

async function answers(layout: Layout, domain: string, items: Item[]) {
  const out = await runScript(layout, 'run_tasks.mjs', {
    domain,
    describe: `the ${domain} domain`,
    perTaskTimeoutMs: 20_000,
    tasks: items.map(({ id, input }) => ({ id, input })),
  });
  expect(out.code).toBe(0);
  return out.lines.slice(0, -1) as Array<{ id: string; prediction: unknown; trace: { solver?: string } }>;
}

const accuracy = (items: Item[], lines: Array<{ prediction: unknown }>) =>
  items.filter((t, i) => lines[i]!.prediction === expected(t.label)).length / items.length;

describe('the offline learner (no LLM) of the seed meta agent', () => {
  const layouts: Layout[] = [];
  const fresh = () => {
    const l = makeLayout('learner-');
    layouts.push(l);
    return l;
  };
  afterAll(() => layouts.forEach(removeLayout));

  const trainPapers = papers('p', 60, 11);
  const trainProofs = proofs('m', 40, 12);
  const heldPapers = papers('hp', 40, 21);
  const heldProofs = proofs('hm', 30, 22);

  it('fits models that separate learnable train sets, fitted on exactly the train ids, and the task agent answers with them', async () => {
    const l = fresh();
    // The seed's heuristic on held-out tasks: near chance on the marker word.
    const before = accuracy(heldPapers, await answers(l, 'paper-review', heldPapers));
    writeWorkspace(l, [examplesOf('paper-review', trainPapers), examplesOf('math-grading', trainProofs)]);
    forceLearner(l, true);
    const out = await runScript(l, 'run_meta.mjs', request(5, ['paper-review', 'math-grading']));
    expect(out.code).toBe(0);
    const report = out.lines[0] as { strategy: string; summary: string };
    expect(report.strategy).toBe('offline');
    expect(report.summary).toContain(`${LEARNER}: paper-review: fitted`);
    expect(report.summary).toContain(`${LEARNER}: math-grading: fitted`);
    expect(report.summary).toMatch(/on 60 train examples.*CV accuracy/);

    const task = readJson(path.join(l.programDir, TASK_PARAMS)) as {
      domains: Record<string, { model?: string }>;
    };
    for (const [domain, train] of [
      ['paper-review', trainPapers],
      ['math-grading', trainProofs],
    ] as const) {
      expect(task.domains[domain]!.model).toBe(`models/${domain}.json`);
      const model = readJson(path.join(l.programDir, 'task', 'models', `${domain}.json`)) as ModelFile;
      // Fitted on exactly the workspace's train examples: nothing else reaches the program.
      expect(model.fit.ids).toEqual(train.map((t) => t.id));
      expect(model.fit.examples).toBe(train.length);
      expect(model.fit.by).toBe(LEARNER);
      expect(model.fit.cvAccuracy).toBeGreaterThan(0.8);
    }
    const notes = fs.readFileSync(path.join(l.programDir, 'memory', 'notes.md'), 'utf8');
    expect(notes).toContain(`## Generation note: ${LEARNER}`);
    expect(notes).toMatch(
      /paper-review: fitted .* on 60 train examples, features .*internal 4-fold CV accuracy/,
    );

    // Workspace stripped as the engine does; the task agent answers held-out tasks with the models.
    fs.rmSync(path.join(l.programDir, 'workspace'), { recursive: true });
    const paperLines = await answers(l, 'paper-review', heldPapers);
    expect(paperLines.every((x) => x.trace.solver === 'learned')).toBe(true);
    const after = accuracy(heldPapers, paperLines);
    expect(after).toBeGreaterThanOrEqual(0.9);
    expect(after).toBeGreaterThan(before + 0.3);
    expect(accuracy(heldProofs, await answers(l, 'math-grading', heldProofs))).toBeGreaterThanOrEqual(0.9);

    expect(await passesValidation(l)).toMatchObject({ ok: true, reasons: [] });
  }, 60_000);

  it("learns from the authors' keywords with the seed's own paper-review settings", async () => {
    const l = fresh();
    const train = withKeywords(trainPapers);
    const held = withKeywords(heldPapers);
    writeWorkspace(l, [examplesOf('paper-review', train)]);
    forceLearner(l, true, null);
    const out = await runScript(l, 'run_meta.mjs', request(5, ['paper-review']));
    expect(out.code).toBe(0);
    const model = readJson(path.join(l.programDir, 'task', 'models', 'paper-review.json')) as ModelFile & {
      members: Array<{ spec: { families: string[]; vocab: string[] } }>;
    };
    expect(model.members[0]!.spec.families).toContain('keywords');
    expect(model.members[0]!.spec.vocab).toContain('k:sparse_coding');
    fs.rmSync(path.join(l.programDir, 'workspace'), { recursive: true });
    expect(accuracy(held, await answers(l, 'paper-review', held))).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('is deterministic given the seed, and the seed decides the learner settings', async () => {
    const run = async (seed: number) => {
      const l = fresh();
      writeWorkspace(l, [examplesOf('paper-review', trainPapers)]);
      forceLearner(l, false);
      const out = await runScript(l, 'run_meta.mjs', request(seed, ['paper-review']));
      expect(out.code).toBe(0);
      const read = (p: string) => fs.readFileSync(path.join(l.programDir, p), 'utf8');
      return {
        summary: (out.lines[0] as { summary: string }).summary,
        model: read(path.join('task', 'models', 'paper-review.json')),
        meta: read(META_PARAMS),
        task: read(TASK_PARAMS),
      };
    };
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(b).toEqual(a);
    expect(c.meta).not.toEqual(a.meta);
  }, 60_000);

  it('mutates its learner settings under dgm-h; under no-self-improve (the meta set restored after every generation) they stay frozen', async () => {
    const chain = async (frozen: boolean) => {
      const l = fresh();
      const start = fs.readFileSync(path.join(l.programDir, META_PARAMS), 'utf8');
      const fits: string[][] = [];
      for (let s = 1; s <= 4; s++) {
        writeWorkspace(l, [examplesOf('paper-review', trainPapers), examplesOf('math-grading', trainProofs)]);
        const out = await runScript(l, 'run_meta.mjs', request(s, ['paper-review', 'math-grading']));
        expect(out.code).toBe(0);
        fs.rmSync(path.join(l.programDir, 'workspace'), { recursive: true });
        const model = path.join(l.programDir, 'task', 'models', 'paper-review.json');
        if (fs.existsSync(model))
          fits.push((readJson(model) as { fit: { families: string[] } }).fit.families);
        // What the engine does for no-self-improve: every child gets the start node's meta agent back.
        if (frozen)
          for (const p of META_SET)
            fs.cpSync(path.join(SEED_DIR, p), path.join(l.programDir, p), { recursive: true, force: true });
      }
      return { start, end: fs.readFileSync(path.join(l.programDir, META_PARAMS), 'utf8'), fits };
    };
    const evolving = await chain(false);
    const before = JSON.parse(evolving.start) as MetaParams;
    const after = JSON.parse(evolving.end) as MetaParams;
    expect(after.learner.rate).not.toBe(before.learner.rate);
    expect(after.learner.mutationRate).not.toBe(before.learner.mutationRate);
    expect(JSON.stringify(after.learner.domains)).not.toBe(JSON.stringify(before.learner.domains));
    expect(evolving.fits.length).toBeGreaterThan(0);

    const frozen = await chain(true);
    expect(frozen.end).toBe(frozen.start);
    expect(frozen.end).not.toBe(evolving.end);
  }, 60_000);

  it('when the learner fails (a broken task/learned.mjs) the domain falls back to parameter mutation', async () => {
    const l = fresh();
    writeWorkspace(l, [examplesOf('paper-review', trainPapers)]);
    forceLearner(l, true);
    fs.writeFileSync(
      path.join(l.programDir, 'task', 'learned.mjs'),
      'export function featureFamilies() { throw new Error("broken"); }\n',
    );
    const before = fs.readFileSync(path.join(l.programDir, TASK_PARAMS), 'utf8');
    const out = await runScript(l, 'run_meta.mjs', request(1, ['paper-review']));
    expect(out.code).toBe(0);
    const summary = (out.lines[0] as { summary: string }).summary;
    expect(summary).toContain(`${LEARNER}: paper-review skipped (the learner failed: broken)`);
    expect(summary).toContain('offline evolutionary mutation (no LLM): ');
    expect(fs.existsSync(path.join(l.programDir, 'task', 'models'))).toBe(false);
    expect(fs.readFileSync(path.join(l.programDir, TASK_PARAMS), 'utf8')).not.toBe(before);
  }, 60_000);

  it('without train examples it falls back to parameter mutation and writes no model', async () => {
    const l = fresh();
    forceLearner(l, false);
    const out = await runScript(l, 'run_meta.mjs', request(1, ['paper-review', 'math-grading']));
    expect(out.code).toBe(0);
    expect((out.lines[0] as { summary: string }).summary).not.toContain(LEARNER);
    expect(fs.existsSync(path.join(l.programDir, 'task', 'models'))).toBe(false);
  }, 60_000);
});
