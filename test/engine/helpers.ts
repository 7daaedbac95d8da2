import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Archive, type NodeRecord } from '../../src/archive';
import { loadConfig, taskQueues, type LoadedConfig } from '../../src/config';
import { parseRunConfig, type RunConfigInput, type RunStatus } from '../../src/engine';
import { makeS3Client, S3ObjectStore } from '../../src/storage';
import { connectClient } from '../../temporal/connection';
import { createKindWorkers, createWorker } from '../../temporal/worker';
import { evolutionRun } from '../../workflows';
import { statusQuery } from '../../workflows/messages';

/**
 * The suite's stack config with the LLM endpoint at `baseURL` (a test server on loopback), and the
 * USD cap and model prices an endpoint requires.
 */
export function llmEndpointConfig(baseURL: string, apiKey = 'sk-engine-test'): LoadedConfig {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'engine-llm-config-')), 'config.json');
  const price = { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 };
  fs.writeFileSync(
    file,
    JSON.stringify({ run: { budget: { usd: 100 } }, llm: { prices: { 'gpt-4o-mini': price } } }),
  );
  return loadConfig({
    env: {
      ...process.env,
      HYPERAGENTS_CONFIG: file,
      HYPERAGENTS_LLM_BASE_URL: baseURL,
      HYPERAGENTS_LLM_API_KEY: apiKey,
    },
  });
}

/** Small, fast settings: two data domains with few tasks, offline strategy unless an LLM is configured. */
export function smallRun(over: RunConfigInput = {}): RunConfigInput {
  return {
    domains: ['paper-review', 'math-grading'],
    domainSplitSizes: { 'paper-review': { train: 10, val: 10, test: 10 } },
    stagedSampleSize: 5,
    seed: 'engine-test',
    ...over,
  };
}

/**
 * A worker on a private task queue against the suite's stack, and a client to start runs with.
 * `byKind`: instead, a worker per kind of work on private queues (`hyperagents worker`'s workers),
 * and runs started with those queues, as `hyperagents run` starts them.
 */
export class EngineHarness {
  readonly taskQueue = `engine-${randomUUID().slice(0, 8)}`;
  client!: Client;
  private stopWorkers?: () => Promise<void>;
  readonly store: S3ObjectStore;
  readonly archive: Archive;
  readonly config: LoadedConfig;

  constructor(
    config: LoadedConfig = loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '' } }),
    private readonly opts: { byKind?: boolean } = {},
  ) {
    // The kinds' queues are named from temporal.taskQueue (`<name>`, `<name>-meta`, `<name>-eval`).
    this.config = opts.byKind
      ? {
          ...config,
          temporal: {
            ...config.temporal,
            queues: {
              orchestration: { ...config.temporal.queues.orchestration, name: this.taskQueue },
              meta: { ...config.temporal.queues.meta, name: `${this.taskQueue}-meta` },
              evaluation: { ...config.temporal.queues.evaluation, name: `${this.taskQueue}-eval` },
            },
          },
        }
      : config;
    this.store = new S3ObjectStore(makeS3Client(config), config.s3.bucket);
    this.archive = new Archive(this.store);
  }

  async start(): Promise<this> {
    this.client = await connectClient(this.config);
    if (this.opts.byKind) {
      const running = await createKindWorkers(this.config);
      const work = running.run();
      this.stopWorkers = async () => {
        running.shutdown();
        await work;
        await running.close();
      };
    } else {
      const running = await createWorker(this.config, this.taskQueue);
      const work = running.worker.run();
      this.stopWorkers = async () => {
        running.worker.shutdown();
        await work;
        await running.close();
      };
    }
    return this;
  }

  async startRun(
    over: RunConfigInput,
  ): Promise<{ runId: string; handle: WorkflowHandle<typeof evolutionRun> }> {
    const runId = `t-${randomUUID().slice(0, 12)}`;
    const config = parseRunConfig(over);
    const handle = await this.client.workflow.start(evolutionRun, {
      workflowId: runId,
      taskQueue: this.taskQueue,
      args: [{ runId, config, ...(this.opts.byKind ? { queues: taskQueues(this.config) } : {}) }],
    });
    return { runId, handle };
  }

  status(runId: string): Promise<RunStatus> {
    return this.client.workflow.getHandle(runId).query(statusQuery);
  }

  /** Polls the run's status (bounded) until `ok` holds; returns that status. */
  async waitFor(runId: string, ok: (s: RunStatus) => boolean, timeoutMs = 120_000): Promise<RunStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: RunStatus | undefined;
    while (Date.now() < deadline) {
      try {
        last = await this.status(runId);
      } catch (e) {
        const desc = await this.client.workflow.getHandle(runId).describe();
        if (desc.status.name !== 'RUNNING') {
          await this.client.workflow.getHandle(runId).result(); // throws the run's failure
          throw new Error(`run ${runId} ended (${desc.status.name}) before the condition held`);
        }
        if (!(e instanceof Error)) throw e;
      }
      if (last && ok(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`condition not reached; last status: ${JSON.stringify(last)}`);
  }

  nodes(runId: string): Promise<NodeRecord[]> {
    return this.archive.listNodes(runId);
  }

  /** Stops the workers and the client; `runIds`: runs to terminate first (a test that ends with them going). */
  async stop(...runIds: string[]): Promise<void> {
    for (const id of runIds)
      await this.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    await this.stopWorkers?.();
    await this.client.connection.close();
  }
}

/** Mean ranking score (val where present, else train) over the run's domains, as selection uses it. */
export function meanVal(n: NodeRecord, domains: string[]): number | undefined {
  const xs = domains.map((d) => n.scores[d]?.val?.score ?? n.scores[d]?.train?.score);
  return xs.every((x) => typeof x === 'number') ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}
