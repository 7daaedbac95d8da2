import { nodeIdFor, trainHistoryOf, lineageOf, type NodeRecord, type Strategy } from '../../archive';
import type { RunMetaResponse } from '../../agent/harness';
import { META_SET } from '../../agent/layout';
import { programFromOutputs, replaceSet, restoreProtected } from '../../agent/program';
import { readMetaReport, runHarness } from '../../agent/runInSandbox';
import { WORKSPACE_DIR, withoutWorkspace } from '../../agent/workspace';
import type { SandboxOutcome } from '../../sandbox';
import type { EngineDeps } from '../deps';
import type { ArchiveView, BudgetLeft, ChildDraft, RunConfig } from '../types';
import { draftOf } from './draft';
import { metaWorkspace } from './metaWorkspace';
import { validateProgram } from './validate';

/** Sandbox time beyond the meta agent's own limit, for start-up and copying the program out. */
const META_SESSION_SLACK_SEC = 30;

/**
 * The paths a method freezes at the run's start node: the whole meta agent (META_SET) for the
 * ablations with a fixed meta agent, nothing for the others.
 */
export function protectedPathsFor(method: RunConfig['method']): string[] {
  return method === 'no-self-improve' || method === 'dgm' ? [...META_SET] : [];
}

/**
 * How the meta agent worked, from what the host saw rather than what the program says: `llm` when
 * the model answered any of its calls or it spent on the model (whatever it reports, a crash
 * included); `offline` only when it says so and no model was involved; otherwise `unknown` (a
 * claimed `llm` without a single answered call is not an LLM result).
 */
function strategyOf(
  report: RunMetaResponse | undefined,
  spent: { usd: number; tokens: number },
  answeredCalls: number,
): Strategy {
  if (answeredCalls > 0 || spent.tokens > 0 || spent.usd > 0) return 'llm';
  return report && 'strategy' in report && report.strategy === 'offline' ? 'offline' : 'unknown';
}

function metaOutcome(o: SandboxOutcome): NodeRecord['metaOutcome'] {
  return o === 'ok'
    ? 'ok'
    : o === 'timeout'
      ? 'timeout'
      : o === 'oom'
        ? 'oom'
        : o === 'policy'
          ? 'policy'
          : 'crashed';
}

/**
 * Runs the parent's meta agent on a copy of the parent in the sandbox (with the archive's train
 * history, its workspace of train examples and, when configured, the LLM gateway), stores the
 * child without the workspace, validates it, and archives its node. Methods with a frozen meta agent run the start node's instead, as the paper does: the copy
 * gets the start node's META_SET, and every META_SET path of the child is restored to it, so the
 * meta agent, parameters included, never changes in such a run. A parent whose meta agent failed is
 * barred (DGM-H). A retry after the child was stored returns the stored node.
 */
export async function selfModify(
  deps: EngineDeps,
  input: {
    runId: string;
    generation: number;
    config: RunConfig;
    parentId: string;
    budgetLeft: BudgetLeft;
    /** Under the run's current budget (setBudget may have changed it since the run started). */
    generationsLeft: number;
    /** The run's archive change log, so this worker re-reads only the records that changed. */
    archive?: ArchiveView;
  },
  signal?: AbortSignal,
): Promise<ChildDraft> {
  const { runId, generation, config, parentId } = input;
  const { archive } = deps;
  const nodeId = nodeIdFor(generation);
  const existing = await archive.getNode(runId, nodeId);
  if (existing) return draftOf(existing);
  const parent = await archive.requireNode(runId, parentId);
  const parentProgram = await archive.getProgram(parent.snapshotKey);
  const nodes = await archive.listNodes(runId, input.archive);
  lineageOf(nodes, parentId); // fail early and clearly on an unknown parent
  // Without open-ended exploration the meta agent has no archive to learn from: its parent only.
  const history = trainHistoryOf(
    nodes,
    parentId,
    config.domains,
    config.method === 'no-open-ended' ? 'parent' : 'archive',
  );
  const frozen = protectedPathsFor(config.method);
  const startProgram =
    frozen.length > 0
      ? await archive.getProgram((await archive.requireNode(runId, nodeIdFor(0))).snapshotKey)
      : undefined;
  // What the meta agent runs on: the parent, with the start node's frozen files when the method freezes any.
  const workProgram = startProgram ? replaceSet(parentProgram, frozen, startProgram) : parentProgram;
  // Plus this session's workspace (train material only), never inherited: stripped from the child below.
  const sessionProgram = {
    ...withoutWorkspace(workProgram),
    ...(await metaWorkspace(deps, config, parent, history)),
  };
  const gateway = await deps.openLlmSession({
    runId,
    nodeId,
    purpose: 'selfModify',
    budgetLeft: input.budgetLeft,
    replayRun: config.llm.replayRun,
  });
  const res = await runHarness({
    sandbox: await deps.sandbox(),
    program: sessionProgram,
    script: 'run_meta.mjs',
    input: {
      history,
      generationsLeft: Math.max(0, input.generationsLeft),
      seed: `${config.seed}/${generation}`,
      domains: config.domains,
      limits: { maxTurns: config.llm.maxTurns, timeLimitMs: config.timeouts.metaAgentSec * 1000 },
    },
    limits: { ...deps.limits, timeoutSec: config.timeouts.metaAgentSec + META_SESSION_SLACK_SEC },
    socketDir: gateway?.socketDir,
    outputs: ['program'],
    labels: { run: runId, node: nodeId },
    // A rule broken at the gateway (a role not this session's, the call log's quota) ends the session.
    signal:
      signal && gateway?.violated
        ? AbortSignal.any([signal, gateway.violated])
        : (gateway?.violated ?? signal),
  }).finally(() => gateway?.close());
  const gatewayViolation = gateway?.violation();
  const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
  const calls = gateway?.calls();
  const budgetRefusal = calls && calls.byOutcome.refused > 0 ? (calls.firstRefusal ?? 'refused') : undefined;
  const report = readMetaReport(res.stdout);
  const failed = report !== undefined && 'error' in report ? report.error : undefined;
  const outcome = gatewayViolation
    ? 'policy'
    : res.outcome === 'ok' && report && failed === undefined
      ? 'ok'
      : metaOutcome(res.outcome === 'ok' ? 'crashed' : res.outcome);
  const why = gatewayViolation ? `LLM gateway: ${gatewayViolation}` : (failed ?? res.stderr);
  // DGM-H bars a parent whose meta agent failed; never the start node, the fallback parent of last resort.
  if (outcome !== 'ok' && parent.parentId !== null) {
    await archive.updateNode(runId, parentId, {
      barred: true,
      barredReason: `meta agent ${outcome} in generation ${generation}: ${why.slice(0, 300)}`,
    });
  }
  // The frozen paths are restored to the version the meta agent ran with, the start node's.
  // A refused output (a `.git/config`, a cap broken) stores the parent unchanged and fails validation.
  const fromMeta =
    outcome === 'ok' ? programFromOutputs(res.outputs, { exclude: [WORKSPACE_DIR] }) : undefined;
  const frozenRestored = fromMeta?.files
    ? restoreProtected(workProgram, withoutWorkspace(fromMeta.files), frozen)
    : undefined;
  const stored = await archive.storeChild({
    parent: parentProgram,
    child: frozenRestored?.files ?? parentProgram,
    protectedPaths: [],
    metaPaths: META_SET,
  });
  const reasons: string[] = fromMeta?.refused !== undefined ? [fromMeta.refused] : [];
  if (outcome !== 'ok') reasons.push(`meta agent ${outcome}`);
  if (stored.patchEmpty) reasons.push('empty patch');
  else reasons.push(...(await validateProgram(deps, config, stored.files, signal)));
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
    strategy: strategyOf(report, spent, calls ? calls.byOutcome.upstream + calls.byOutcome.replay : 0),
    metaOutcome: outcome,
    validation: { passed: reasons.length === 0, reasons },
    revertedPaths: frozenRestored?.revertedPaths ?? [],
    scores: {},
    costUsd: spent.usd,
    tokens: spent.tokens,
    ...(budgetRefusal !== undefined ? { budgetRefusal } : {}),
  };
  return draftOf((await archive.putNode(record)).record);
}
