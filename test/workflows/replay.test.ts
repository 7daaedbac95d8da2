import * as fs from 'fs';
import * as path from 'path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { installQuietRuntime, quietLogger } from './harness';

/**
 * Replay must be able to fail. test/engine/replay.test.ts shows the recorded histories replay on the
 * current workflow code; this shows that a history the code could not have produced does not: each
 * case alters one event of a recorded fixture and expects a determinism violation, and the same
 * fixture unaltered replays cleanly (so the alteration, not the fixture, is what fails). No server:
 * replay runs the workflow code against the history alone.
 */
const FIXTURES = path.resolve(__dirname, '../fixtures/histories');
type History = temporal.api.history.v1.History;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function fixture(name: string): History {
  return temporal.api.history.v1.History.decode(fs.readFileSync(path.join(FIXTURES, name)));
}
function workflowTypeOf(h: History): string | undefined {
  return h.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}
/** The first fixture whose workflow type is `type` and that has an event `pick` finds. */
function fixtureWith(type: string, pick: (e: HistoryEvent) => boolean): string {
  const name = fs
    .readdirSync(FIXTURES)
    .find((f) => workflowTypeOf(fixture(f)) === type && fixture(f).events.some(pick));
  if (!name) throw new Error(`no ${type} fixture with the event to alter in ${FIXTURES}`);
  return name;
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

const isSelfModify = (e: HistoryEvent) =>
  e.activityTaskScheduledEventAttributes?.activityType?.name === 'selfModify';
const isChildStart = (e: HistoryEvent) => !!e.startChildWorkflowExecutionInitiatedEventAttributes;

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
  const name = fixtureWith(type, pick);
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
  const name = fixtureWith('evolutionRun', isUpsert);
  // The control goes through the same conversion and renumbering, dropping nothing.
  const control = dropEvent(fixture(name), () => false);
  expect(await replayError(control, `control-${name}`)).toBeUndefined();

  const altered = dropEvent(fixture(name), isUpsert);
  expect(altered.events.length).toBe(fixture(name).events.length - 1);
  const err = await replayError(altered, `dropped-${name}`);
  expect(err?.name).toBe('DeterminismViolationError');
  expect(err?.message).toMatch(/nondetermin/i);
});
