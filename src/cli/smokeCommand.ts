import { randomUUID } from 'crypto';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config';
import { connectClient, uiLink } from '../../temporal/connection';
import { createWorker } from '../../temporal/worker';
import { smokeWorkflow } from '../../workflows';

/** Runs the smoke workflow with an in-process worker: proves Temporal, S3 and the sandbox work together. */
export function registerSmokeCommand(program: Command, config: () => LoadedConfig): void {
  program
    .command('smoke')
    .description('run an end-to-end smoke workflow through Temporal, S3 and the sandbox')
    .action(async () => {
      const c = config();
      const client = await connectClient(c);
      const taskQueue = `smoke-${randomUUID().slice(0, 8)}`;
      const { worker, close } = await createWorker(c, taskQueue);
      const runId = `smoke-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const result = await worker.runUntil(
        client.workflow.execute(smokeWorkflow, { workflowId: runId, taskQueue, args: [runId] }),
      );
      await close();
      console.log(`workflow ${result.workflowId}: completed`);
      console.log(`  S3:      wrote and read back ${result.bytesReadBack} bytes at ${result.objectKey}`);
      console.log(
        `  sandbox: ${result.sandbox.backend} → ${result.sandbox.outcome}: ${result.sandbox.stdout}`,
      );
      const link = uiLink(c, result.workflowId);
      if (link) console.log(`  Temporal UI: ${link}`);
      await client.connection.close();
    });
}
