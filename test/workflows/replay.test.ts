import * as path from 'path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { WORKFLOW_RELEASES } from '../../workflows/releases';
import { installQuietRuntime, quietLogger } from './harness';
import { releaseFixtures, replayEach, workflowTypeOf, type HistoryEvent } from './releaseFixtures';

/**
 * Every released workflow version (workflows/releases.ts) must replay on the current workflow code:
 * each release's recorded histories (test/fixtures/histories/<release>/) replay here, no server
 * needed (replay runs the workflow code against the history alone). A change that would break runs
 * of a release still in flight (nondeterminism) fails the first test.
 *
 * And replay must be able to fail: for every release, one altered fixture among its unaltered ones
 * makes the same check report that fixture and only it; and each case below alters one event of a
 * recorded fixture and expects a determinism violation, the same fixture unaltered replaying cleanly
 * (so the alteration, not the fixture, is what fails).
 */
type History = temporal.api.history.v1.History;
const NEWEST = WORKFLOW_RELEASES[WORKFLOW_RELEASES.length - 1]!.id;

function fixture(name: string): History {
  const release = name.split('/')[0]!;
  const found = releaseFixtures(release).find((f) => f.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found.history;
}
/** The first fixture of the release whose workflow type is `type` and that has an event `pick` finds. */
function fixtureWith(release: string, type: string, pick: (e: HistoryEvent) => boolean): string {
  const found = releaseFixtures(release).find(
    (f) => workflowTypeOf(f.history) === type && f.history.events.some(pick),
  );
  if (!found) throw new Error(`no ${type} fixture with the event to alter in release ${release}`);
  return found.name;
}

let workflowBundle: WorkflowBundle;
beforeAll(async () => {
  installQuietRuntime();
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../../workflows/index.ts'),
    logger: quietLogger,
  });
});

/** Undefined when the history replays, else the error replay ended with. */
async function replayError(h: History, workflowId: string): Promise<Error | undefined> {
  try {
    await Worker.runReplayHistory({ workflowBundle }, h, workflowId);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

const releases = WORKFLOW_RELEASES.map((r) => r.id);

test.each(releases)(
  'the recorded histories of release %s replay on the current workflow code',
  async (release) => {
    const fixtures = releaseFixtures(release);
    expect(fixtures.length).toBeGreaterThan(0);
    expect(await replayEach({ workflowBundle }, fixtures)).toEqual(fixtures.map((f) => [f.name, undefined]));
  },
);

const isSelfModify = (e: HistoryEvent) =>
  e.activityTaskScheduledEventAttributes?.activityType?.name === 'selfModify';
const isChildStart = (e: HistoryEvent) => !!e.startChildWorkflowExecutionInitiatedEventAttributes;

test.each(releases)(
  'release %s with one fixture that does not replay fails the check above, at that fixture',
  async (release) => {
    const fixtures = releaseFixtures(release);
    const bad = fixtures.find(
      (f) => workflowTypeOf(f.history) === 'generationWorkflow' && f.history.events.some(isSelfModify),
    )!;
    bad.history.events.find(isSelfModify)!.activityTaskScheduledEventAttributes!.activityType!.name =
      'selfModifyV2';
    const results = await replayEach({ workflowBundle }, fixtures);
    expect(results.filter(([, err]) => err !== undefined).map(([name]) => name)).toEqual([bad.name]);
    expect(results.find(([name]) => name === bad.name)?.[1]).toMatch(
      /^DeterminismViolationError: .*nondetermin/is,
    );
  },
);

test.each([
  [
    'a generation whose meta-agent activity was recorded under another name',
    'generationWorkflow',
    isSelfModify,
    (e: HistoryEvent) => {
      e.activityTaskScheduledEventAttributes!.activityType!.name = 'selfModifyV2';
    },
  ],
  [
    'a run that started a child generation of another id',
    'evolutionRun',
    isChildStart,
    (e: HistoryEvent) => {
      const a = e.startChildWorkflowExecutionInitiatedEventAttributes!;
      a.workflowId = `${a.workflowId}-elsewhere`;
    },
  ],
])('%s fails replay with a determinism violation', async (_what, type, pick, alter) => {
  const name = fixtureWith(NEWEST, type, pick);
  expect(await replayError(fixture(name), `control-${name}`)).toBeUndefined();

  const altered = fixture(name);
  alter(altered.events.find(pick)!);
  const err = await replayError(altered, `altered-${name}`);
  expect(err?.name).toBe('DeterminismViolationError');
  expect(err?.message).toMatch(/nondetermin/i);
});

/**
 * Drops the event `pick` finds and renumbers the rest (and every `…EventId` reference), so the
 * history stays well formed and only the missing event differs from what the code does.
 */
function dropEvent(h: History, pick: (e: HistoryEvent) => boolean): History {
  const at = h.events.findIndex(pick);
  // Plain data with numbers for the int64 ids; fromObject turns them back into protobuf longs.
  const plain = temporal.api.history.v1.History.toObject(h, { longs: Number }) as {
    events: Array<Record<string, unknown>>;
  };
  if (at >= 0) plain.events.splice(at, 1);
  const renumbered = new Map(plain.events.map((e, i) => [e.eventId, i + 1]));
  for (const e of plain.events) {
    e.eventId = renumbered.get(e.eventId);
    for (const [key, attrs] of Object.entries(e)) {
      if (!key.endsWith('Attributes') || !attrs || typeof attrs !== 'object') continue;
      const fields = attrs as Record<string, unknown>;
      for (const [field, value] of Object.entries(fields)) {
        if (field.endsWith('EventId') && renumbered.has(value)) fields[field] = renumbered.get(value);
      }
    }
  }
  return temporal.api.history.v1.History.fromObject(plain);
}

test('a run whose history lacks one of its search-attribute updates fails replay', async () => {
  const isUpsert = (e: HistoryEvent) => !!e.upsertWorkflowSearchAttributesEventAttributes;
  const name = fixtureWith(NEWEST, 'evolutionRun', isUpsert);
  // The control goes through the same conversion and renumbering, dropping nothing.
  const control = dropEvent(fixture(name), () => false);
  expect(await replayError(control, `control-${name}`)).toBeUndefined();

  const altered = dropEvent(fixture(name), isUpsert);
  expect(altered.events.length).toBe(fixture(name).events.length - 1);
  const err = await replayError(altered, `dropped-${name}`);
  expect(err?.name).toBe('DeterminismViolationError');
  expect(err?.message).toMatch(/nondetermin/i);
});
