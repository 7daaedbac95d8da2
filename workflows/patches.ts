/**
 * The ids of `patched()` branches: workflow changes that issue different commands than histories
 * recorded before them. Each old branch stays until no run recorded before it can still be running
 * (CONTRIBUTING.md, "Workflow changes and recorded histories").
 */

/**
 * Histories recorded before this patch upsert search attributes and memo on every publish and wake
 * every minute under a wall-clock budget; they replay the old way. New runs upsert only what changed
 * and wait exactly until the wall-clock budget ends, so idle time adds no history events.
 */
export const QUIET_PUBLISH_PATCH = 'publish-on-change-exact-waits';

/**
 * Runs before this patch gave every generation the run's whole remainder and took spend from the
 * activities' results alone; they replay that way. New runs share the remainder over the parallel
 * generations and reconcile spend with the LLM call logs, failed generations included.
 */
export const RUN_WIDE_BUDGET_PATCH = 'run-wide-budget';

/**
 * Runs before this patch evaluate a child with one `evaluateNode` activity per domain (train and val,
 * staged then full, under one time limit); they replay that way. New runs plan the stages once
 * (`planEvaluation`) and run one `evaluateStage` activity per domain, split and stage, each with a
 * time limit sized by its task count, the gate decided in the workflow.
 */
export const STAGE_ACTIVITIES_PATCH = 'evaluation-stage-activities';

/**
 * Runs before this patch keep no archive change log and give their generations none, so selection
 * and the meta agent's history read every node record of the run; they replay that way. New runs
 * number the archive's changes (RunState.archive) and pass them on, so a worker re-reads only those.
 */
export const ARCHIVE_LOG_PATCH = 'archive-change-log';

/**
 * Runs before this patch start their generations without search attributes or summaries and their
 * activities without summaries; they replay that way. New runs start each generation with the
 * run's search attributes (HyperagentsRunId, HyperagentsGeneration its number, HyperagentsDomains,
 * HyperagentsStatus) and a static summary and details, give every activity a summary, and a
 * generation upserts its status, HyperagentsScore and a memo with its one-line outcome when it ends.
 */
export const GENERATION_METADATA_PATCH = 'generation-search-attributes-summaries';

/**
 * Runs before this patch take a generation's steps one after another; they replay that way. New
 * runs take them as src/engine/generationSteps.ts says: the evaluation plan beside selection and the
 * meta agent, the domains' stage chains side by side (each under an even share of the budget), and
 * the spend and score reads side by side before the child is archived.
 */
export const CONCURRENT_STEPS_PATCH = 'concurrent-generation-steps';
