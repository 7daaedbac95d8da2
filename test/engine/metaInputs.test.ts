import { randomUUID } from 'crypto';
import { engineActivities } from '../../activities/engine';
import { sandboxFor } from '../../src/devstack';
import { parseRunConfig } from '../../src/engine';
import type { Sandbox, SandboxRunSpec } from '../../src/sandbox';
import { engineDepsFromConfig } from '../../src/wiring/engineDeps';
import { EngineHarness } from './helpers';

/**
 * What the meta agent is given, checked at the boundary: every sandbox session is recorded (the
 * real sandbox runs it), and the self-modification session must carry train results only.
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
  const given = input + Object.values(meta!.files).join('\n');

  expect(input).toContain(String(secrets.train)); // the train score is there: the check can see scores
  expect(given).not.toContain(String(secrets.val));
  expect(given).not.toContain(String(secrets.test));
  expect(input).not.toMatch(/"(val|test|validation|labels?|reportKey)"/);
  // No label of any split: math-grading labels are grades tied to task ids; no task id is given at all.
  const loaded = await deps.domains.tasks(deps.domains.domain('math-grading'), 0, undefined);
  for (const id of [...loaded.labels.keys()].slice(0, 50)) expect(given).not.toContain(`"${id}"`);
}, 300_000);
