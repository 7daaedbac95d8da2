import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { nodeIdFor } from '../archive/keys';
import type { RunStatus } from '../engine';
import type { GenerationProgress, PendingActivity } from '../report/progress';
import { approveUpdate, rejectUpdate, statusQuery } from '../../workflows/messages';

/**
 * What the CLI (`list`, `status`, `pending`, `approve`, `reject`) and the console ask of a run's
 * workflow, in one place: both adapters call these, so a reviewer sees the same status and the same
 * refusals whichever one they use. Adapters import this module, never the workflows' messages.
 */

/** The one message for a run id Temporal does not know, whichever command named it. */
export function noSuchRun(runId: string): Error {
  return new Error(`no run with id ${runId} (see \`hyperagents list\`)`);
}

/** `action` on the run's workflow, with Temporal's "workflow not found" told as `noSuchRun`. */
export async function onRun<T>(runId: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw noSuchRun(runId);
    throw e;
  }
}

/** Messages to a run need a worker to answer; without one the SDK waits forever. Say so instead. */
export async function withWorkerDeadline<T>(runId: string, p: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `run ${runId} did not answer within ${ms / 1000} s: is a worker running? (\`hyperagents worker\`)`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A run's status (the workflow's query, or its result once completed), and whether it still runs. */
export async function runStatus(
  client: Client,
  runId: string,
): Promise<{ status: RunStatus; live: boolean }> {
  const handle = client.workflow.getHandle(runId);
  const state = await onRun(runId, async () => (await handle.describe()).status.name);
  if (state === 'COMPLETED') return { status: (await handle.result()) as RunStatus, live: false };
  if (state !== 'RUNNING') {
    // A failed or cancelled run still answers queries from its last state, given a worker.
    const status = await withWorkerDeadline(runId, handle.query(statusQuery), 10_000);
    return { status: { ...status, stopReason: status.stopReason ?? state.toLowerCase() }, live: false };
  }
  return { status: await withWorkerDeadline(runId, handle.query(statusQuery), 10_000), live: true };
}

/** One evolution run as Temporal's visibility lists it (search attributes, no query). */
export interface RunListing {
  runId: string;
  state: Lowercase<WorkflowExecutionStatusName>;
  generation?: number;
  bestScore?: number;
  domains: string[];
  startTime: Date;
}

/** A search attribute's value: plain JSON payloads, never encoded by a codec. */
function attribute(raw: temporal.api.workflow.v1.IWorkflowExecutionInfo, name: string): unknown {
  const payload = raw.searchAttributes?.indexedFields?.[name];
  if (!payload) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    return Array.isArray(value) ? value : [value];
  } catch {
    return undefined;
  }
}

/**
 * The evolution runs Temporal knows (at most `limit`), newest first as visibility returns them.
 * Read from the visibility response directly, search attributes only: the SDK's listing decodes
 * every run's memo and stops at the first it cannot (a run encrypted with keys this process lacks).
 */
export async function listRuns(client: Client, limit = Infinity): Promise<RunListing[]> {
  const runs: RunListing[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: "WorkflowType = 'evolutionRun'",
      pageSize: Math.min(1000, Number.isFinite(limit) ? limit : 1000),
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const raw of page.executions) {
      if (runs.length >= limit) return runs;
      const generation = (attribute(raw, 'HyperagentsGeneration') as unknown[] | undefined)?.[0];
      const best = (attribute(raw, 'HyperagentsBestScore') as unknown[] | undefined)?.[0];
      const domains = (attribute(raw, 'HyperagentsDomains') as unknown[] | undefined) ?? [];
      const status = temporal.api.enums.v1.WorkflowExecutionStatus[raw.status ?? 0] ?? 'UNSPECIFIED';
      const seconds = raw.startTime?.seconds;
      runs.push({
        runId: raw.execution?.workflowId ?? '',
        state: status
          .replace('WORKFLOW_EXECUTION_STATUS_', '')
          .toLowerCase()
          .replace('canceled', 'cancelled') as RunListing['state'],
        ...(typeof generation === 'number' ? { generation } : {}),
        ...(typeof best === 'number' ? { bestScore: best } : {}),
        domains: domains.filter((d): d is string => typeof d === 'string'),
        startTime: new Date(seconds ? Number(seconds) * 1000 + (raw.startTime?.nanos ?? 0) / 1e6 : 0),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken && runs.length < limit);
  return runs;
}

/**
 * What each of the run's running generations is doing: the pending activities of its child
 * workflow (`describe`, one call per generation, no worker needed), with the details of their last
 * heartbeat (an evaluation stage's tasks done of total). A generation that cannot be described (not
 * started yet, just finished) is left out; details this client cannot decode are left out.
 */
export async function generationProgress(
  client: Client,
  runId: string,
  generations: readonly number[],
): Promise<GenerationProgress[]> {
  const out: GenerationProgress[] = [];
  for (const generation of generations) {
    const workflowId = `${runId}/${nodeIdFor(generation)}`;
    let raw;
    try {
      raw = (await client.workflow.getHandle(workflowId).describe()).raw;
    } catch {
      continue;
    }
    const pending: PendingActivity[] = [];
    for (const a of raw.pendingActivities ?? []) {
      const details = await decodeArrayFromPayloads(
        client.options.loadedDataConverter,
        a.heartbeatDetails?.payloads,
      ).catch(() => []);
      pending.push({
        type: a.activityType?.name ?? '',
        ...(details[0] !== undefined ? { detail: details[0] } : {}),
        ...(a.attempt ? { attempt: a.attempt } : {}),
        ...(a.lastFailure?.message ? { lastFailure: a.lastFailure.message } : {}),
      });
    }
    out.push({ generation, pending });
  }
  return out;
}

/** A reviewer's decision on a node the approval policy holds. */
export interface Decision {
  runId: string;
  nodeId: string;
  approve: boolean;
  note?: string;
  /** Who decided (recorded in the node with the time); absent: not recorded. */
  reviewer?: string;
}

/**
 * Sends the decision as the run's `approve`/`reject` update and returns the run's answer. A
 * rejection needs its reason; the validator's refusal is thrown as its own message (not the SDK's
 * wrapper), the message a reviewer needs.
 */
export async function decide(client: Client, d: Decision): Promise<string> {
  // Checked before anything reaches the run: the decision record keeps the reason with the node.
  if (!d.approve && !d.note?.trim())
    throw new DecisionRefused(`reject ${d.nodeId} needs a note: a rejection is recorded with its reason`);
  const handle = client.workflow.getHandle(d.runId);
  const reviewer = d.reviewer?.trim() || undefined;
  try {
    return await withWorkerDeadline(
      d.runId,
      onRun(d.runId, () =>
        handle.executeUpdate(d.approve ? approveUpdate : rejectUpdate, {
          // The reviewer is a third argument only when given: older workers take two.
          args: reviewer === undefined ? [d.nodeId, d.note] : [d.nodeId, d.note, reviewer],
        }),
      ),
    );
  } catch (e) {
    const cause = (e as Error).cause;
    if (e instanceof WorkflowUpdateFailedError && cause instanceof Error)
      throw new DecisionRefused(cause.message);
    throw e;
  }
}

/** The run refused a decision (its validator, or a rejection without a reason): the message says why. */
export class DecisionRefused extends Error {
  override name = 'DecisionRefused';
}
