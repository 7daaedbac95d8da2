import { ApplicationFailure } from '@temporalio/activity';
import { nodeIdFor, type NodeRecord } from '../../src/archive';
import { META_PATHS, TASK_PATHS, seedProgram } from '../../src/agent/layout';
import { jsonLines, programFromOutputs, runHarness } from '../../src/agent/runInSandbox';
import type { ProgramFiles } from '../../src/agent/program';
import { agentView } from '../../src/domains';
import { openGatewaySession } from '../../src/llm';
import type { RunConfig } from '../../src/engine';
import type { SandboxOutcome } from '../../src/sandbox';
import type { EngineDeps } from './deps';
import { numericSeed, sizesFor } from '../../src/engine';
import { withHeartbeat } from './heartbeat';

/** What the generation workflow needs to know about a freshly stored child. */
export interface ChildDraft {
  nodeId: string;
  parentId: string | null;
  validation: { passed: boolean; reasons: string[] };
  metaChanged: boolean;
  costUsd: number;
  tokens: number;
}

function draftOf(r: NodeRecord): ChildDraft {
  return {
    nodeId: r.nodeId,
    parentId: r.parentId,
    validation: { passed: r.validation.passed, reasons: [...r.validation.reasons] },
    metaChanged: r.metaChanged,
    costUsd: r.costUsd,
    tokens: r.tokens,
  };
}

/** The ablations that freeze the meta agent protect its files, so every edit to them is reverted. */
export function protectedPathsFor(method: RunConfig['method']): string[] {
  return method === 'no-self-improve' || method === 'dgm' ? [...META_PATHS] : [];
}

function metaOutcome(o: SandboxOutcome): NodeRecord['metaOutcome'] {
  return o === 'ok' ? 'ok' : o === 'timeout' ? 'timeout' : o === 'oom' ? 'oom' : 'crashed';
}

/** Checks a program in the sandbox: modules load, a smoke task (train split, first domain) runs. */
async function validate(deps: EngineDeps, config: RunConfig, program: ProgramFiles): Promise<string[]> {
  const domain = deps.domain(config.domains[0]!);
  const loaded = await deps.tasks(domain, numericSeed(config.seed), sizesFor(config, domain.name));
  const task = loaded.splits.train[0];
  const res = await runHarness({
    sandbox: await deps.sandbox(),
    program,
    script: 'run_validate.mjs',
    input: {
      domain: domain.name,
      describe: domain.describe(),
      task: task && agentView(task),
      timeoutMs: 30_000,
    },
    limits: { ...deps.limits, timeoutSec: 90 },
  });
  const verdict = jsonLines(res.stdout).at(-1) as { ok?: boolean; reasons?: string[] } | undefined;
  if (!verdict) return [`validation produced no verdict (${res.outcome}): ${res.stderr.slice(0, 300)}`];
  return verdict.ok ? [] : (verdict.reasons ?? ['validation failed']);
}

export function selfModifyActivities(deps: EngineDeps) {
  const { archive } = deps;
  return {
    /** Generation 0: the seed, or a node of another run with its task or meta agent reset (transfer). */
    async createStartNode(input: { runId: string; config: RunConfig }): Promise<ChildDraft> {
      const { runId, config } = input;
      const nodeId = nodeIdFor(0);
      const existing = await archive.getNode(runId, nodeId);
      if (existing) return draftOf(existing);
      let program = await seedProgram();
      if (config.start) {
        const from = await archive.getNode(config.start.run, config.start.node);
        if (!from) {
          throw ApplicationFailure.nonRetryable(
            `start node ${config.start.run}/${config.start.node} does not exist`,
          );
        }
        const startProgram = await archive.getProgram(from.snapshotKey);
        const reset =
          config.start.reset === 'task' ? TASK_PATHS : config.start.reset === 'meta' ? META_PATHS : [];
        for (const p of reset) if (program[p] !== undefined) startProgram[p] = program[p];
        program = startProgram;
      }
      const reasons = await validate(deps, config, program);
      const record: NodeRecord = {
        runId,
        nodeId,
        parentId: null,
        generation: 0,
        createdAt: new Date().toISOString(),
        snapshotKey: await archive.putProgram(program),
        patchEmpty: true,
        changedPaths: [],
        metaChanged: false,
        strategy: 'seed',
        metaOutcome: 'ok',
        validation: { passed: reasons.length === 0, reasons },
        revertedPaths: [],
        scores: {},
        costUsd: 0,
        tokens: 0,
      };
      return draftOf((await archive.putNode(record)).record);
    },

    /** Runs the parent's meta agent on a copy of the parent, in the sandbox, and stores the child. */
    async selfModify(input: {
      runId: string;
      generation: number;
      config: RunConfig;
      parentId: string;
      budgetLeft: { usd?: number; tokens?: number };
    }): Promise<ChildDraft> {
      const { runId, generation, config, parentId } = input;
      const nodeId = nodeIdFor(generation);
      const existing = await archive.getNode(runId, nodeId);
      if (existing) return draftOf(existing); // a retry after the child was stored
      const parent = await archive.requireNode(runId, parentId);
      const parentProgram = await archive.getProgram(parent.snapshotKey);
      const history = await archive.trainHistory(runId, parentId, config.domains);
      const gateway = await openGatewaySession({
        llm: deps.config.llm,
        prices: deps.config.llm.prices,
        replayRun: config.llm.replayRun,
        budgetLeft: input.budgetLeft,
        store: deps.store,
        runId,
        nodeId,
        purpose: 'selfModify',
      });
      const res = await withHeartbeat(`meta agent of ${parentId} → ${nodeId}`, async (signal) =>
        runHarness({
          sandbox: await deps.sandbox(),
          program: parentProgram,
          script: 'run_meta.mjs',
          input: {
            history,
            generationsLeft: Math.max(0, config.budget.generations - generation),
            seed: `${config.seed}/${generation}`,
            domains: config.domains,
            limits: { maxTurns: config.llm.maxTurns, timeLimitMs: config.timeouts.metaAgentSec * 1000 },
          },
          limits: { ...deps.limits, timeoutSec: config.timeouts.metaAgentSec + 30 },
          socketDir: gateway?.socketDir,
          socketName: gateway?.socketName,
          outputs: ['program'],
          labels: { run: runId, node: nodeId },
          signal,
        }).finally(() => gateway?.close()),
      );
      const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
      const report = jsonLines(res.stdout).at(-1) as { strategy?: string; error?: string } | undefined;
      const outcome =
        res.outcome === 'ok' && report && !report.error
          ? 'ok'
          : metaOutcome(res.outcome === 'ok' ? 'crashed' : res.outcome);
      if (outcome !== 'ok') {
        // DGM-H: a parent whose meta agent crashed or timed out is not selected again.
        await archive.updateNode(runId, parentId, {
          barred: true,
          barredReason: `meta agent ${outcome} in generation ${generation}: ${(report?.error ?? res.stderr).slice(0, 300)}`,
        });
      }
      const child = outcome === 'ok' ? programFromOutputs(res.outputs.files) : parentProgram;
      const stored = await archive.storeChild({
        parent: parentProgram,
        child,
        protectedPaths: protectedPathsFor(config.method),
        metaPaths: META_PATHS,
      });
      const reasons: string[] = [];
      if (outcome !== 'ok') reasons.push(`meta agent ${outcome}`);
      if (stored.patchEmpty) reasons.push('empty patch');
      else reasons.push(...(await validate(deps, config, stored.files)));
      const record: NodeRecord = {
        runId,
        nodeId,
        parentId,
        generation,
        createdAt: new Date().toISOString(),
        snapshotKey: stored.snapshotKey,
        ...(stored.patchKey ? { patchKey: stored.patchKey } : {}),
        patchEmpty: stored.patchEmpty,
        changedPaths: stored.changedPaths,
        metaChanged: stored.metaChanged,
        strategy: report?.strategy === 'llm' ? 'llm' : 'offline',
        metaOutcome: outcome,
        validation: { passed: reasons.length === 0, reasons },
        revertedPaths: stored.revertedPaths,
        scores: {},
        costUsd: spent.usd,
        tokens: spent.tokens,
      };
      return draftOf((await archive.putNode(record)).record);
    },
  };
}
