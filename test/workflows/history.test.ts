import { temporal } from '@temporalio/proto';
import { Gate, WorkflowTestEnv } from './harness';

/**
 * What a run writes into its history while it waits: nothing. Search attributes and memo are upserted
 * only when a value changed, and a wall-clock budget is one timer until the deadline, not a periodic
 * wake-up; so a generation that takes long adds no events to the run's history.
 */
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await WorkflowTestEnv.create();
});
afterAll(() => env.close());

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Every search-attribute upsert and memo change of a history, as comparable text. */
function publications(events: HistoryEvent[]): { attributes: string[]; memos: string[] } {
  const text = (fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined) =>
    JSON.stringify(
      Object.entries(fields ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, p]) => [k, Buffer.from(p.data ?? []).toString('utf8')]),
    );
  return {
    attributes: events
      .filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
      .map((e) => text(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields)),
    memos: events
      .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED)
      .map((e) => text(e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields)),
  };
}

/** The run's history after one generation held for `holdMs` under a wall-clock budget. */
async function historyOfHeldRun(holdMs: number): Promise<HistoryEvent[]> {
  const gate = new Gate();
  let events: HistoryEvent[] = [];
  await env.run({ hold: (g) => (g === 1 ? gate : undefined) }, async ({ start, waitFor }) => {
    const { handle } = await start({ budget: { generations: 1, wallClockHours: 1 } });
    await waitFor(handle, 'generation 1 running', (s) => s.running.includes(1));
    await new Promise((r) => setTimeout(r, holdMs));
    gate.open();
    await handle.result();
    events = (await handle.fetchHistory()).events ?? [];
  });
  return events;
}

test.concurrent('no upsert repeats the values already published', async () => {
  const { attributes, memos } = publications(await historyOfHeldRun(500));
  expect(attributes.length).toBeGreaterThan(1);
  for (let i = 1; i < attributes.length; i++) expect(attributes[i]).not.toBe(attributes[i - 1]);
  for (let i = 1; i < memos.length; i++) expect(memos[i]).not.toBe(memos[i - 1]);
});

test.concurrent('a generation held 5 s writes the same history events as one held 0.5 s', async () => {
  const [short, long] = await Promise.all([historyOfHeldRun(500), historyOfHeldRun(5_000)]);
  const kinds = (events: HistoryEvent[]) => events.map((e) => EventType[e.eventType ?? 0]);
  expect(kinds(long)).toEqual(kinds(short));
});
