import * as fs from 'fs';
import * as path from 'path';
import { temporal } from '@temporalio/proto';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';

/**
 * The recorded histories of the released workflow versions (workflows/releases.ts): one folder per
 * release under test/fixtures/histories, named by its id. Used by the replay tests
 * (test/workflows/replay.test.ts replays them all, test/engine/replay.test.ts records the newest).
 */
export const HISTORIES = path.resolve(__dirname, '../fixtures/histories');

export type History = temporal.api.history.v1.IHistory;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export interface Fixture {
  /** `<release>/<file>`. */
  name: string;
  history: temporal.api.history.v1.History;
}

/** The release folders present. */
export function releaseFolders(): string[] {
  return fs
    .readdirSync(HISTORIES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A release's recorded histories, decoded afresh on each call (tests alter them). */
export function releaseFixtures(release: string): Fixture[] {
  const dir = path.join(HISTORIES, release);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.history.bin'))
    .sort()
    .map((f) => ({
      name: `${release}/${f}`,
      // Binary protobuf: JSON histories need protobufjs's JSON extension, which jest's module registry breaks.
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))),
    }));
}

/** Writes `histories` as a release's fixtures; refuses a release already recorded (released histories never change). */
export function recordRelease(release: string, histories: History[]): void {
  const dir = path.join(HISTORIES, release);
  if (releaseFixtures(release).length > 0)
    throw new Error(
      `release ${release} is already recorded in ${dir}: add a new release to workflows/releases.ts to record the current code`,
    );
  fs.mkdirSync(dir, { recursive: true });
  histories.forEach((h, i) =>
    fs.writeFileSync(
      path.join(dir, `evolution-${i}.history.bin`),
      temporal.api.history.v1.History.encode(h).finish(),
    ),
  );
}

export function workflowTypeOf(h: History): string | undefined {
  return h.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}

/** The `patched()` ids a history recorded (its patch markers). */
export function patchIdsOf(h: History): string[] {
  const ids = new Set<string>();
  for (const e of h.events ?? []) {
    const m = e.markerRecordedEventAttributes;
    const data = m?.markerName === 'core_patch' ? m.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    if (data) ids.add((JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id);
  }
  return [...ids].sort();
}

/** The workflow's input (the first argument it was started with), as JSON. */
function inputOf(h: History): Record<string, unknown> | undefined {
  const data = h.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>) : undefined;
}

const EventType = temporal.api.enums.v1.EventType;

/**
 * What kinds of commands the workflow code issued in `histories`, as a set of lines: each activity
 * by name and the kind of work of its queue (from the run's `queues`), each child workflow type and
 * the search attributes it starts with, whether activities and children carry a summary or details,
 * each patch id, search attribute and memo key upserted, and every other command event by type. A set,
 * not a sequence: it does not depend on how activities and workflow tasks interleaved, so two runs
 * of the same scenario on the same code give the same set, and a change to what the workflows do
 * (a new activity, queue, patch, child or timer) changes it.
 */
export function commandSignature(histories: History[]): string[] {
  const lines = new Set<string>();
  for (const h of histories) {
    const type = workflowTypeOf(h) ?? '?';
    const ownQueue = h.events?.[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name;
    const queues = (inputOf(h)?.queues ?? {}) as Record<string, string>;
    const kindOf = (queue: string | null | undefined) =>
      Object.entries(queues).find(([, name]) => name === queue)?.[0] ??
      (queue === ownQueue ? 'the run queue' : 'another queue');
    for (const e of h.events ?? []) {
      const at = `${type}: `;
      // What the Temporal UI shows of a command: its summary and details (user metadata).
      const meta = e.userMetadata;
      const metaOf = (what: string) => {
        if (meta?.summary) lines.add(`${at}${what} with a summary`);
        if (meta?.details) lines.add(`${at}${what} with details`);
      };
      if (e.activityTaskScheduledEventAttributes) {
        const a = e.activityTaskScheduledEventAttributes;
        lines.add(`${at}activity ${a.activityType?.name} on ${kindOf(a.taskQueue?.name)}`);
        metaOf(`activity ${a.activityType?.name}`);
      } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
        const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
        lines.add(`${at}child ${c.workflowType?.name}`);
        for (const key of Object.keys(c.searchAttributes?.indexedFields ?? {}))
          lines.add(`${at}child ${c.workflowType?.name} search attribute ${key}`);
        metaOf(`child ${c.workflowType?.name}`);
      } else if (e.markerRecordedEventAttributes) {
        const ids = patchIdsOf({ events: [e] });
        lines.add(
          `${at}marker ${ids.length ? `patch ${ids.join()}` : e.markerRecordedEventAttributes.markerName}`,
        );
      } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
        const fields = e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {};
        for (const key of Object.keys(fields)) lines.add(`${at}search attribute ${key}`);
      } else if (e.workflowPropertiesModifiedEventAttributes) {
        const fields = e.workflowPropertiesModifiedEventAttributes.upsertedMemo?.fields ?? {};
        for (const key of Object.keys(fields)) lines.add(`${at}memo ${key}`);
      } else if (COMMAND_EVENTS.has(e.eventType ?? 0)) {
        lines.add(`${at}${EventType[e.eventType!]}`);
      }
    }
  }
  return [...lines].sort();
}

/** The other events a workflow command makes (those above are read in detail). */
const COMMAND_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_TIMER_CANCELED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
  EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
]);

/** Replays each history; the error message of each that fails, undefined for each that replays. */
export async function replayEach(
  options: ReplayWorkerOptions,
  histories: Array<{ name: string; history: History }>,
): Promise<Array<[string, string | undefined]>> {
  const results: Array<[string, string | undefined]> = [];
  for await (const r of Worker.runReplayHistories(
    options,
    histories.map((x) => ({ workflowId: x.name, history: x.history })) as never,
  ))
    results.push([r.workflowId, r.error ? `${r.error.name}: ${r.error.message}` : undefined]);
  return results;
}
