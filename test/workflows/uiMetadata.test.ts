import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { searchAttributes } from '../../workflows/searchAttributes';
import { nodeId, WorkflowTestEnv } from './harness';

/**
 * What the Temporal UI shows of a run (GENERATION_METADATA_PATCH), with stub activities: its
 * generations carry the run's search attributes, so one visibility query lists the run and them;
 * each generation has a static summary and details, its activities summaries, and when it ends its
 * status, score and a one-line outcome (memo and current details); the run's current details say
 * what it is doing.
 */
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await WorkflowTestEnv.create();
});
afterAll(() => env.close());

/** Visibility is eventually consistent: lists (bounded) until `ok` holds of what it lists. */
async function listUntil<T>(
  client: Client,
  query: string,
  ok: (listed: T[]) => boolean,
  map: (wf: WorkflowExecutionInfo) => T,
): Promise<T[]> {
  let listed: T[] = [];
  for (let i = 0; i < 80; i++) {
    listed = [];
    for await (const wf of client.workflow.list({ query })) listed.push(map(wf));
    if (ok(listed)) return listed;
    await new Promise((r) => setTimeout(r, 250));
  }
  return listed;
}

const metadataQuery = '__temporal_workflow_metadata';
type Metadata = temporal.api.sdk.v1.IWorkflowMetadata;

test('a run and its generations share its search attributes; generations and activities carry readable summaries', async () => {
  const scores: Record<number, number> = { 0: 0.2, 1: 0.61, 2: 0.4 };
  await env.run({ score: (g) => scores[g]!, metaChanged: (g) => g === 1 }, async ({ start, client }) => {
    const { runId, handle } = await start({ budget: { generations: 2 } });
    await handle.result();

    // One query lists the run and its three generations (start node included), each with its number.
    const wanted = (l: Array<{ type: string }>) =>
      l.filter((x) => x.type === 'generationWorkflow').length === 3 &&
      l.some((x) => x.type === 'evolutionRun');
    const listed = await listUntil(
      client,
      `HyperagentsRunId = "${runId}" AND ExecutionStatus = "Completed"`,
      (l: Array<{ type: string; status?: string }>) =>
        wanted(l) && l.filter((x) => x.type === 'generationWorkflow').every((x) => x.status !== 'running'),
      (wf) => ({
        id: wf.workflowId,
        type: wf.type,
        generation: wf.typedSearchAttributes.get(searchAttributes.generation),
        status: wf.typedSearchAttributes.get(searchAttributes.status),
        score: wf.typedSearchAttributes.get(searchAttributes.score),
        domains: wf.typedSearchAttributes.get(searchAttributes.domains),
        outcome: (wf.memo as { outcome?: string } | undefined)?.outcome,
      }),
    );
    const generations = listed
      .filter((x) => x.type === 'generationWorkflow')
      .sort((a, b) => (a.generation ?? 0) - (b.generation ?? 0));
    expect(generations).toEqual([
      {
        id: `${runId}/${nodeId(0)}`,
        type: 'generationWorkflow',
        generation: 0,
        status: 'eligible',
        score: 0.2,
        domains: ['alpha', 'beta'],
        outcome: 'gen-0 (start node) · alpha 0.20, beta 0.20',
      },
      {
        id: `${runId}/${nodeId(1)}`,
        type: 'generationWorkflow',
        generation: 1,
        status: 'eligible',
        score: 0.61,
        domains: ['alpha', 'beta'],
        outcome: 'gen-1 from gen-0 · meta changed · alpha 0.61, beta 0.61',
      },
      {
        id: `${runId}/${nodeId(2)}`,
        type: 'generationWorkflow',
        generation: 2,
        status: 'eligible',
        score: 0.4,
        domains: ['alpha', 'beta'],
        outcome: 'gen-2 from gen-1 · alpha 0.40, beta 0.40',
      },
    ]);
    const run = listed.find((x) => x.type === 'evolutionRun')!;
    expect(run).toMatchObject({ id: runId, generation: 2, status: 'completed' });

    // A generation's static summary and details, as `describe` (and the UI) read them.
    const child = await client.workflow.getHandle(`${runId}/${nodeId(2)}`).describe();
    expect(await child.staticSummary()).toBe(`gen-2 of ${runId} · dgm-h · alpha, beta`);
    const details = await child.staticDetails();
    expect(details).toContain(`**gen-2** of run \`${runId}\``);
    expect(details).toContain('best when started: gen-1 0.61');

    // Each of its activities has a summary saying what it does.
    const history = await client.workflow.getHandle(`${runId}/${nodeId(2)}`).fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map(
        (e) =>
          `${e.activityTaskScheduledEventAttributes!.activityType?.name}: ${
            e.userMetadata?.summary?.data
              ? (JSON.parse(Buffer.from(e.userMetadata.summary.data).toString('utf8')) as string)
              : '(none)'
          }`,
      );
    expect(summaries).toEqual(
      expect.arrayContaining([
        'selectParent: gen-2: selecting a parent',
        'selfModify: gen-2: meta agent of gen-1',
        'planEvaluation: gen-2: planning the evaluation',
        'evaluateStage: gen-2: evaluating alpha train staged (10 tasks)',
        'evaluateStage: gen-2: evaluating beta val rest (20 tasks)',
        'scoreNode: gen-2: finalizing (score)',
        'finalizeNode: gen-2: finalizing (archive)',
      ]),
    );
    expect(summaries.filter((s) => s.endsWith('(none)'))).toEqual([]);

    // Current details (the UI's "what it is doing now"): the generation's outcome, the run's state.
    const genMeta = await client.workflow.getHandle(`${runId}/${nodeId(1)}`).query<Metadata>(metadataQuery);
    expect(genMeta.currentDetails).toBe('gen-1 from gen-0 · meta changed · alpha 0.61, beta 0.61');
    const runMeta = await handle.query<Metadata>(metadataQuery);
    expect(runMeta.currentDetails).toMatch(
      /^finished: .* · 2\/2 generations done · best gen-1 0\.61 · \$0\.0000 spent · dgm-h on alpha, beta$/,
    );
  });
}, 120_000);
