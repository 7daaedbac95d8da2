import type { SplitScore } from '../../src/archive';
import type { Split } from '../../src/domains';
import { sampleTasks } from '../../src/domains/split';
import type { RunConfig } from '../../src/engine';
import { evaluateSplit, sandboxBatchRunner, sandboxUntrustedRunner } from '../../src/evaluation';
import { openGatewaySession, type GatewaySession } from '../../src/llm';
import type { EngineDeps } from './deps';
import { numericSeed, sizesFor } from '../../src/engine';
import { withHeartbeat } from './heartbeat';

export function evaluateActivities(deps: EngineDeps) {
  const { archive } = deps;

  async function evaluateOn(
    runId: string,
    nodeId: string,
    domainName: string,
    split: Split,
    config: RunConfig,
    staged: boolean,
    gateway?: GatewaySession,
  ): Promise<SplitScore | undefined> {
    const domain = deps.domain(domainName);
    const loaded = await deps.tasks(domain, numericSeed(config.seed), sizesFor(config, domain.name));
    const tasks = loaded.splits[split];
    if (tasks.length === 0) return undefined;
    const node = await archive.requireNode(runId, nodeId);
    const program = await archive.getProgram(node.snapshotKey);
    const sampleSize = config.stagedSampleSize ?? domain.staged.sampleSize;
    // The same staged tasks for every node of the run, so staged scores compare like with like.
    const stagedTasks = staged
      ? sampleTasks(tasks, sampleSize, numericSeed(`${config.seed}/staged/${domainName}/${split}`))
      : [...tasks];
    const report = await withHeartbeat(`${nodeId} on ${domainName}/${split}`, (signal) =>
      evaluateSplit({
        domain,
        tasks,
        labels: loaded.labels,
        staged: stagedTasks,
        gate: domain.staged.gate,
        run: sandboxBatchRunner({
          sandbox: deps.sandbox,
          limits: deps.limits,
          program,
          domain,
          perTaskSec: config.timeouts.perTaskSec,
          maxBatchSec: config.timeouts.evaluationSec,
          labels: { run: runId, node: nodeId },
          gateway,
          signal,
        }),
        context: { runUntrusted: sandboxUntrustedRunner(deps.sandbox, deps.limits, signal), signal },
      }),
    );
    const reportKey = await archive.putReport(runId, nodeId, domainName, split, report);
    return {
      score: report.score,
      basis: report.basis,
      evaluated: report.evaluated,
      total: report.total,
      reportKey,
    };
  }

  return {
    /** Staged evaluation of a node on one domain's train and validation splits, and what its LLM calls cost. */
    async evaluateNode(input: {
      runId: string;
      nodeId: string;
      domain: string;
      config: RunConfig;
      budgetLeft?: { usd?: number; tokens?: number };
    }): Promise<{ scores: { train?: SplitScore; val?: SplitScore }; costUsd: number; tokens: number }> {
      const { runId, nodeId, domain, config } = input;
      const gateway = await openGatewaySession({
        llm: deps.config.llm,
        prices: deps.config.llm.prices,
        replayRun: config.llm.replayRun,
        budgetLeft: input.budgetLeft ?? {},
        store: deps.store,
        runId,
        nodeId,
        purpose: `evaluate:${domain}`,
      });
      try {
        const scores: { train?: SplitScore; val?: SplitScore } = {};
        const train = await evaluateOn(runId, nodeId, domain, 'train', config, true, gateway);
        if (train) scores.train = train;
        const val = await evaluateOn(runId, nodeId, domain, 'val', config, true, gateway);
        if (val) scores.val = val;
        const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
        return { scores, costUsd: spent.usd, tokens: spent.tokens };
      } finally {
        await gateway?.close();
      }
    },

    /** Held-out test evaluation (full split) of the given nodes, e.g. the start node and the best. */
    async evaluateTestSplit(input: {
      runId: string;
      nodeIds: string[];
      config: RunConfig;
    }): Promise<Record<string, Record<string, number>>> {
      const out: Record<string, Record<string, number>> = {};
      for (const nodeId of input.nodeIds) {
        out[nodeId] = {};
        for (const domain of input.config.domains) {
          const test = await evaluateOn(input.runId, nodeId, domain, 'test', input.config, false);
          if (!test) continue;
          await archive.updateNode(input.runId, nodeId, { scores: { [domain]: { test } } });
          out[nodeId][domain] = test.score;
        }
      }
      return out;
    },
  };
}
