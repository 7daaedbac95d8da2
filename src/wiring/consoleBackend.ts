import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../config';
import type { ConsoleBackend } from '../console/backend';
import { promote } from '../engine';
import { readCallLog } from '../llm';
import { Archive } from '../archive';
import { makeS3Client, S3ObjectStore } from '../storage';
import { connectClient, uiLink } from '../../temporal/connection';
import { decide, generationProgress, listRuns, runStatus } from './runOps';

/**
 * The console's backend on the configured Temporal and S3: run operations through runOps (as the
 * CLI), node records, diffs and programs through the Archive, call logs as the gateway wrote them.
 */
export async function consoleBackendFromConfig(
  c: LoadedConfig,
): Promise<{ backend: ConsoleBackend; close(): Promise<void> }> {
  const client: Client = await connectClient(c);
  const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
  const archive = new Archive(store);
  const backend: ConsoleBackend = {
    listRuns: (limit) => listRuns(client, limit),
    runStatus: (runId) => runStatus(client, runId),
    progress: (runId, generations) => generationProgress(client, runId, generations),
    nodes: (runId) => archive.listNodes(runId),
    diff: (runId, base, nodeId) => archive.diffNodes(runId, base, nodeId),
    programFile: async (runId, nodeId, path) => {
      const node = await archive.requireNode(runId, nodeId);
      return (await archive.getProgram(node.snapshotKey))[path];
    },
    callLog: (runId, nodeId) => readCallLog(store, runId, nodeId),
    decide: (d) => decide(client, d),
    uiLink: (workflowId) => uiLink(c, workflowId),
    // The promotion service of src/engine/promote.ts, as `hyperagents promote` calls it.
    promote: async ({ runId, nodeId, reviewer }) => {
      const m = await promote({ archive, store }, { runId, nodeId, by: reviewer });
      return `promoted ${runId}/${nodeId} as release ${m.releaseId}`;
    },
  };
  return { backend, close: () => client.connection.close() };
}
