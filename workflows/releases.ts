import {
  ARCHIVE_LOG_PATCH,
  CONCURRENT_STEPS_PATCH,
  GENERATION_METADATA_PATCH,
  QUIET_PUBLISH_PATCH,
  RUN_WIDE_BUDGET_PATCH,
  STAGE_ACTIVITIES_PATCH,
} from './patches';

/**
 * A released workflow version: workflow code that may have started runs still in flight somewhere.
 * Each has histories recorded under `test/fixtures/histories/<id>/`, and every one of them must
 * replay on the current workflow code (test/workflows/replay.test.ts). The newest entry is the
 * version the code in this tree is; a change to what the workflows do adds an entry and records it
 * (CONTRIBUTING.md, "Workflow changes and recorded histories"). Not bundled into workflow code:
 * nothing under `workflows/index.ts` imports it.
 */
export interface WorkflowRelease {
  /** `<n>-<name>`: n counts releases; the folder of its recorded histories. */
  id: string;
  /** The `patched()` ids its runs record (markers in its histories). */
  patches: readonly string[];
  /** What it changed, in a line. */
  changed: string;
}

export const WORKFLOW_RELEASES: readonly WorkflowRelease[] = [
  {
    id: '1-initial',
    patches: [],
    changed:
      'the first recorded version: one evaluateNode activity per domain, every activity on the run queue',
  },
  {
    id: '2-stage-activities',
    patches: [QUIET_PUBLISH_PATCH, RUN_WIDE_BUDGET_PATCH, STAGE_ACTIVITIES_PATCH],
    changed: 'publishes on change, a run-wide budget, one evaluateStage activity per domain, split and stage',
  },
  {
    id: '3-archive-log',
    patches: [QUIET_PUBLISH_PATCH, RUN_WIDE_BUDGET_PATCH, STAGE_ACTIVITIES_PATCH, ARCHIVE_LOG_PATCH],
    changed: 'the run numbers its archive changes and passes them to its generations',
  },
  {
    id: '4-queues-by-kind',
    patches: [QUIET_PUBLISH_PATCH, RUN_WIDE_BUDGET_PATCH, STAGE_ACTIVITIES_PATCH, ARCHIVE_LOG_PATCH],
    changed:
      'activities on a task queue per kind of work (EvolutionRunInput.queues, carried across continue-as-new and to generations)',
  },
  {
    id: '5-generation-metadata',
    patches: [
      QUIET_PUBLISH_PATCH,
      RUN_WIDE_BUDGET_PATCH,
      STAGE_ACTIVITIES_PATCH,
      ARCHIVE_LOG_PATCH,
      GENERATION_METADATA_PATCH,
    ],
    changed:
      "generations start with the run's search attributes and a summary; activities carry summaries; a generation upserts its status, score and outcome memo",
  },
  {
    id: '6-concurrent-steps',
    patches: [
      QUIET_PUBLISH_PATCH,
      RUN_WIDE_BUDGET_PATCH,
      ARCHIVE_LOG_PATCH,
      GENERATION_METADATA_PATCH,
      CONCURRENT_STEPS_PATCH,
    ],
    changed:
      "a generation's steps as src/engine/generationSteps.ts takes them: the plan beside selection, the domains' stages side by side under budget shares, spend and score read together",
  },
];

/** The version the workflow code in this tree is. */
export const CURRENT_WORKFLOW_RELEASE: WorkflowRelease = WORKFLOW_RELEASES[WORKFLOW_RELEASES.length - 1]!;
