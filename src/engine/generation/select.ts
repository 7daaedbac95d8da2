import { nodeIdFor, selectionSnapshotOf } from '../../archive';
import { readLastLine, runHarness } from '../../agent/runInSandbox';
import {
  METHOD_POLICIES,
  rngFor,
  selectParent as selectByRule,
  editableSelectorInput,
  resolveEditableChoice,
  SelectionError,
  startNodeFallback,
  type PolicyName,
  type Rng,
  type SelectionResult,
  type SelectionSnapshot,
} from '../../selection';
import type { EngineDeps } from '../deps';
import type { ArchiveView, RunConfig } from '../types';

/** Sandbox time for the agent-editable selector. */
const SELECTOR_SESSION_SEC = 60;

/** The agent-editable selector: the latest eligible program's own select_parent.mjs, in the sandbox. */
async function editableSelection(
  deps: EngineDeps,
  runId: string,
  generation: number,
  snapshot: SelectionSnapshot,
  rng: Rng,
  fallback: PolicyName,
  signal?: AbortSignal,
): Promise<SelectionResult> {
  const onlyStart = startNodeFallback(snapshot, 'editable');
  if (onlyStart) return onlyStart;
  const latest = [...snapshot.candidates]
    .filter((c) => c.eligible)
    .sort((a, b) => b.generation - a.generation)[0];
  if (!latest) throw new SelectionError('no eligible node to select from');
  const program = await deps.archive.getProgram(
    (await deps.archive.requireNode(runId, latest.id)).snapshotKey,
  );
  const res = await runHarness({
    sandbox: await deps.sandbox(),
    program,
    script: 'run_select.mjs',
    input: editableSelectorInput(snapshot, generation, rng),
    limits: { ...deps.limits, timeoutSec: SELECTOR_SESSION_SEC },
    signal,
  });
  const outcome = res.outcome === 'ok' ? { output: readLastLine(res.stdout) } : { failure: res.outcome };
  return resolveEditableChoice(outcome, snapshot, rng, fallback);
}

/**
 * Picks the parent of a generation by the run's rule, over a snapshot of the archive, and records
 * the decision (rule, distribution, any fallback) beside the node. Throws SelectionError when no
 * node can be selected.
 */
export async function selectParent(
  deps: EngineDeps,
  input: { runId: string; generation: number; config: RunConfig; archive?: ArchiveView },
  signal?: AbortSignal,
): Promise<string> {
  const { runId, generation, config } = input;
  const snapshot = selectionSnapshotOf(await deps.archive.listNodes(runId, input.archive), config.domains);
  const rng = rngFor(config.seed, generation);
  const base = METHOD_POLICIES[config.method];
  const result =
    config.selection === 'agent'
      ? await editableSelection(deps, runId, generation, snapshot, rng, base, signal)
      : selectByRule(config.selection ?? base, snapshot, rng);
  await deps.archive.putSelectionRecord(runId, nodeIdFor(generation), { generation, ...result });
  return result.nodeId;
}
