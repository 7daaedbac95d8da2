import type { ActivityOptions } from '@temporalio/workflow';
import type { RunConfig } from '../src/engine/types';

/**
 * Activity options by how long the work takes. Every activity heartbeats (activities/engine/
 * heartbeat.ts), so a worker that dies is noticed within HEARTBEAT_TIMEOUT whatever the activity's
 * time limit, and its work goes to another worker (or the same one restarted) at once; sandbox-bound
 * ones get the run's own time limits plus slack. Permanent failures are marked non-retryable by
 * the activities.
 */

/** How often a running activity heartbeats; the worker sends them to the server at this rate too. */
export const HEARTBEAT_EVERY_MS = 2_000;
/**
 * How long without a heartbeat before the server gives the activity to another worker: six
 * heartbeats, so a busy event loop or a slow network does not fail a healthy attempt, and a killed
 * worker's work resumes within about 15 s.
 */
export const HEARTBEAT_TIMEOUT = '12 seconds';

/**
 * Retries with backoff, each wait at most 30 s. A service that is down (the S3 server, dockerd, the
 * Temporal server itself) fails attempts until it is back: OUTAGE_ATTEMPTS spans about three and a
 * half minutes of waits (1+2+4+8+16 s, then 30 s each), so a restart or a short outage is waited
 * out instead of failing the generation or the run. Failures that no retry can fix are marked
 * non-retryable by the activities and are not retried at all.
 */
function retry(maximumAttempts: number): ActivityOptions['retry'] {
  return {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts,
  };
}
const OUTAGE_ATTEMPTS = 12;
/**
 * The meta agent's session is not resumable (its LLM calls are spent again on a retry): fewer
 * attempts, still enough (about 30 s of waits) for a service restart.
 */
const META_ATTEMPTS = 6;

/** Reads and writes of node records: seconds. */
export const recordOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: retry(OUTAGE_ATTEMPTS),
};

/** Parent selection (the agent-editable selector runs up to 60 s), the start node's validation (90 s), smoke. */
export const shortSandboxOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: retry(OUTAGE_ATTEMPTS),
};

/** The meta agent's session, then the child's validation. */
export function metaAgentOptions(config: RunConfig): ActivityOptions {
  return {
    startToCloseTimeout: `${config.timeouts.metaAgentSec + 120} seconds`,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: retry(META_ATTEMPTS),
  };
}

/**
 * Seconds per task on top of the task agent's time, for scoring on the host (which may run the
 * prediction in a sandbox) and checkpoint writes; plus a fixed slack for sandbox start and loading.
 */
const SCORING_SEC_PER_TASK = 5;
const STAGE_SLACK_SEC = 120;

/**
 * One stage of one split's evaluation: its tasks in `concurrency` lanes of `perTaskSec` each, plus
 * slack. A retry resumes from the stage's checkpointed answers, so it needs no more than that.
 */
export function stageOptions(config: RunConfig, tasks: number, concurrency: number): ActivityOptions {
  const lanes = Math.ceil(tasks / Math.max(1, concurrency));
  const seconds = lanes * config.timeouts.perTaskSec + tasks * SCORING_SEC_PER_TASK + STAGE_SLACK_SEC;
  return {
    startToCloseTimeout: `${Math.ceil(seconds)} seconds`,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: retry(OUTAGE_ATTEMPTS),
  };
}

/** One node on one domain's train and validation splits (runs recorded before STAGE_ACTIVITIES_PATCH). */
export function evaluationOptions(config: RunConfig): ActivityOptions {
  return {
    startToCloseTimeout: `${config.timeouts.evaluationSec} seconds`,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 3 },
  };
}

/** The held-out test split of the start node and the best, on every domain. */
export function heldOutTestOptions(config: RunConfig): ActivityOptions {
  return {
    startToCloseTimeout: `${config.timeouts.evaluationSec * 2 * config.domains.length} seconds`,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: retry(OUTAGE_ATTEMPTS),
  };
}
