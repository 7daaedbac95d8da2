import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SmokeActivities } from '../activities/smoke';
import { shortSandboxOptions } from './activityOptions';
import { searchAttributes } from './searchAttributes';

const { storeRoundTrip, sandboxHello } = proxyActivities<SmokeActivities>(shortSandboxOptions);

export interface SmokeResult {
  workflowId: string;
  objectKey: string;
  bytesReadBack: number;
  sandbox: { backend: string; outcome: string; stdout: string };
}

/** End-to-end check of the stack: Temporal runs it, S3 stores and returns bytes, the sandbox runs node. */
export async function smokeWorkflow(runId: string): Promise<SmokeResult> {
  upsertSearchAttributes([
    { key: searchAttributes.runId, value: runId },
    { key: searchAttributes.status, value: 'running' },
  ]);
  const store = await storeRoundTrip(runId);
  const sandbox = await sandboxHello();
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'completed' }]);
  return { workflowId: workflowInfo().workflowId, ...store, sandbox };
}
