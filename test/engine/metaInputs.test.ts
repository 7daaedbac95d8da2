import { randomUUID } from 'crypto';
import { engineActivities } from '../../activities/engine';
import { sandboxFor } from '../../src/devstack';
import { parseRunConfig } from '../../src/engine';
import type { Sandbox, SandboxRunSpec } from '../../src/sandbox';
import { engineDepsFromConfig } from '../../src/wiring/engineDeps';
import { EngineHarness } from './helpers';

/**
 * What the meta agent is given, checked at the boundary: every sandbox session is recorded (the
 * real sandbox runs it), and the self-modification session, its workspace files included, must carry
 * train results only.
 */
test('the meta agent receives train results only: no validation or test score and no label reaches it', async () => {
  const h = new EngineHarness();
  const sessions: SandboxRunSpec[] = [];
  const real = await sandboxFor(h.config);
  const recording: Sandbox = {
    backend: real.backend,
    run: (spec) => {
      sessions.push(spec);
      return real.run(spec);
    },
  };
  const deps = await engineDepsFromConfig(h.config);
  const acts = engineActivities({ ...deps, sandbox: async () => recording });
  const config = parseRunConfig({
    domains: ['math-grading'],
    seed: 'meta-inputs',
    stagedSampleSize: 100, // full splits: a staged-scaled 0 would be no secret worth checking for
    budget: { generations: 3 },
  });
  const runId = `t-${randomUUID().slice(0, 12)}`;

  const start = await acts.createStartNode({ runId, config });
  const { scores } = await acts.evaluateNode({ runId, nodeId: start.nodeId, domain: 'math-grading', config });
  await acts.finalizeNode({
    runId,
    nodeId: start.nodeId,
    scores: { 'math-grading': scores },
    pendingApproval: false,
  });
  const tests = await acts.evaluateTestSplit({ runId, nodeIds: [start.nodeId], config });
  const secrets = {
    train: scores.train!.score,
    val: scores.val!.score,
    test: tests.scores[start.nodeId]!['math-grading']!,
  };
  // Distinct values, or the check below could not tell a train score from a leaked one.
  expect(new Set(Object.values(secrets)).size).toBe(3);

  sessions.length = 0;
  await acts.selfModify({
    runId,
    generation: 1,
    config,
    parentId: start.nodeId,
    budgetLeft: {},
    generationsLeft: 2,
  });
  const meta = sessions.find((s) => s.command.join(' ').includes('run_meta.mjs'));
  expect(meta).toBeDefined();
  const input = meta!.stdin!;
  const inWorkspace = (p: string) => p.startsWith('program/workspace/');
  const files = Object.entries(meta!.files);
  const program = files.filter(([p]) => !inWorkspace(p)).map(([, text]) => String(text));
  const workspace = files.filter(([p]) => inWorkspace(p)).map(([, text]) => String(text));
  const given = [input, ...program].join('\n');

  expect(input).toContain(String(secrets.train)); // the train score is there: the check can see scores
  expect(given).not.toContain(String(secrets.val));
  expect(given).not.toContain(String(secrets.test));
  expect(input).not.toMatch(/"(val|test|validation|labels?|reportKey)"/);
  // The workspace's numbers (scores, the scorer's details) may share digits with a score: match whole numbers.
  const asNumber = (v: number) => new RegExp(`(?<![\\d.])${String(v).replace('.', '\\.')}(?![\\d])`);
  for (const text of workspace) {
    expect(text).not.toMatch(asNumber(secrets.val));
    expect(text).not.toMatch(asNumber(secrets.test));
  }

  // No task of the held-out splits, so none of their labels: math-grading labels are tied to task ids.
  const loaded = await deps.domains.tasks(deps.domains.domain('math-grading'), 0, undefined);
  const everything = [given, ...workspace].join('\n');
  for (const t of [...loaded.splits.val, ...loaded.splits.test])
    expect(everything).not.toContain(`"${t.id}"`);
  // The workspace does hold the parent's train tasks, each with its label: the check above can see ids.
  const examples = JSON.parse(String(meta!.files['program/workspace/examples/math-grading.json'])) as {
    split: string;
    examples: Array<{ id: string; label: unknown; prediction?: unknown }>;
  };
  const trainIds = new Set(loaded.splits.train.map((t) => t.id));
  expect(examples.split).toBe('train');
  expect(examples.examples.length).toBeGreaterThan(0);
  for (const e of examples.examples) {
    expect(trainIds.has(e.id)).toBe(true);
    expect(e.label).toEqual(loaded.labels.get(e.id));
  }
}, 300_000);
