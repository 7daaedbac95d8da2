import * as patches from '../../workflows/patches';
import { CURRENT_WORKFLOW_RELEASE, WORKFLOW_RELEASES } from '../../workflows/releases';
import { patchIdsOf, releaseFixtures, releaseFolders, workflowTypeOf } from './releaseFixtures';

/**
 * The list of released workflow versions (workflows/releases.ts) and the recorded histories agree,
 * so "every released version replays" (test/workflows/replay.test.ts) means what it says:
 *
 * - every release has its folder of histories (a run that continued as new and started child
 *   generations, and those generations), and there is no folder of a release not listed;
 * - the patches a release lists are the ones its histories recorded;
 * - every patch of the current code (workflows/patches.ts) was recorded by a release, so a new
 *   `patched()` branch cannot land without a new release recorded.
 *
 * A change that adds no patch but changes what the workflows issue (a new activity, a queue, a
 * timer, a child) is caught by test/engine/replay.test.ts, which compares the commands of a fresh
 * run with the newest release's. Not a hash of workflows/*.ts: comments, renames and refactors
 * that issue the same commands are not a new version, and a hash would ask for one at every edit.
 */
test('every listed release has its recorded histories, and every folder of histories is a listed release', () => {
  expect(releaseFolders()).toEqual(WORKFLOW_RELEASES.map((r) => r.id).sort());
  expect(new Set(WORKFLOW_RELEASES.map((r) => r.id)).size).toBe(WORKFLOW_RELEASES.length);
  WORKFLOW_RELEASES.forEach((r, i) => expect(r.id).toMatch(new RegExp(`^${i + 1}-[a-z0-9-]+$`)));
  for (const r of WORKFLOW_RELEASES) {
    const histories = releaseFixtures(r.id).map((f) => f.history);
    const runs = histories.filter((h) => workflowTypeOf(h) === 'evolutionRun');
    const events = runs.flatMap((h) => h.events);
    expect([r.id, events.some((e) => !!e.workflowExecutionContinuedAsNewEventAttributes)]).toEqual([
      r.id,
      true,
    ]);
    expect([r.id, events.some((e) => !!e.startChildWorkflowExecutionInitiatedEventAttributes)]).toEqual([
      r.id,
      true,
    ]);
    expect([r.id, histories.some((h) => workflowTypeOf(h) === 'generationWorkflow')]).toEqual([r.id, true]);
  }
});

test.each(WORKFLOW_RELEASES.map((r) => [r.id, r]))(
  'release %s lists the patches its histories recorded',
  (_id, release) => {
    const recorded = new Set(releaseFixtures(release.id).flatMap((f) => patchIdsOf(f.history)));
    expect([...recorded].sort()).toEqual([...release.patches].sort());
  },
);

test('every patch of the current code was recorded by a release: a new patch needs a new release', () => {
  const current: string[] = Object.values(patches);
  const recorded = new Set(WORKFLOW_RELEASES.flatMap((r) => r.patches));
  expect(current.sort()).toEqual([...recorded].sort());
  // The newest release records only patches the code still has (an old branch the current code
  // no longer reaches, as STAGE_ACTIVITIES_PATCH's, stays for older releases' histories).
  expect(CURRENT_WORKFLOW_RELEASE.patches.filter((p) => !current.includes(p))).toEqual([]);
});
