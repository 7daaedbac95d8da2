import { ApplicationFailure } from '@temporalio/activity';
import type { SplitScore } from '../../src/archive';
import { jsonLines, runHarness } from '../../src/agent/runInSandbox';
import type { ProgramFiles } from '../../src/agent/program';
import type { Domain, Split, Task, UntrustedRunner } from '../../src/domains';
import { sampleTasks } from '../../src/domains/split';
import type { RunConfig } from '../../src/engine';
import { evaluateSplit, type TaskAnswer } from '../../src/evaluation';
import { openGatewaySession, type GatewaySession } from '../../src/llm';
import type { EngineDeps } from './deps';
import { numericSeed, sizesFor } from '../../src/engine';
import { withHeartbeat } from './heartbeat';

/** Runs a batch of agent views through the program's task agent in one sandbox session. */
function batchRunner(
  deps: EngineDeps,
  program: ProgramFiles,
  domain: Domain,
  config: RunConfig,
  labels: Record<string, string>,
  gateway?: GatewaySession,
) {
  return async (tasks: Task[]): Promise<Map<string, TaskAnswer>> => {
    const answers = new Map<string, TaskAnswer>();
    if (tasks.length === 0) return answers;
    const perTaskMs = config.timeouts.perTaskSec * 1000;
    const res = await runHarness({
      sandbox: await deps.sandbox(),
      program,
      script: 'run_tasks.mjs',
      input: { domain: domain.name, describe: domain.describe(), perTaskTimeoutMs: perTaskMs, tasks },
      limits: {
        ...deps.limits,
        timeoutSec: Math.min(config.timeouts.evaluationSec, 30 + (tasks.length * perTaskMs) / 1000),
      },
      labels,
      socketDir: gateway?.socketDir,
      socketName: gateway?.socketName,
    });
    for (const line of jsonLines(res.stdout)) {
      if (typeof line.id !== 'string') continue;
      answers.set(
        line.id,
        typeof line.error === 'string' ? { error: line.error } : { prediction: line.prediction },
      );
    }
    if (answers.size === 0 && res.outcome !== 'ok') {
      for (const t of tasks)
        answers.set(t.id, { error: `task runner ${res.outcome}: ${res.stderr.slice(0, 200)}` });
    }
    return answers;
  };
}

/** Domains that execute predictions (coding, reward design) do it in a fresh sandbox session. */
function untrustedRunner(deps: EngineDeps): UntrustedRunner {
  return async (req) => {
    const res = await (
      await deps.sandbox()
    ).run({
      files: { ...req.files },
      command: req.command.map((c) => (c === 'node' ? '/usr/bin/node' : c)),
      env: { HOME: '/home/agent', PATH: '/usr/bin:/bin' },
      limits: { ...deps.limits, timeoutSec: Math.ceil(req.timeoutMs / 1000) + 5 },
    });
    return {
      exitCode: res.exitCode,
      stdout: res.stdout,
      stderr: res.stderr,
      timedOut: res.outcome === 'timeout',
    };
  };
}

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
    const report = await withHeartbeat(`${nodeId} on ${domainName}/${split}`, () =>
      evaluateSplit({
        domain,
        tasks,
        labels: loaded.labels,
        staged: stagedTasks,
        gate: domain.staged.gate,
        run: batchRunner(deps, program, domain, config, { run: runId, node: nodeId }, gateway),
        context: { runUntrusted: untrustedRunner(deps) },
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
      } catch (e) {
        if ((e as Error).name === 'DataUnavailableError')
          throw ApplicationFailure.nonRetryable((e as Error).message);
        throw e;
      } finally {
        await gateway?.close();
      }
    },

    /** Held-out test evaluation (full split) of the given nodes, e.g. the start node and the best. */
    async evaluateTestSplit(input: { runId: string; nodeIds: string[]; config: RunConfig }): Promise<void> {
      for (const nodeId of input.nodeIds) {
        for (const domain of input.config.domains) {
          const test = await evaluateOn(input.runId, nodeId, domain, 'test', input.config, false);
          if (test) await archive.updateNode(input.runId, nodeId, { scores: { [domain]: { test } } });
        }
      }
    },
  };
}
