/**
 * A run's generations without Temporal: the same steps (src/engine/generationSteps.ts) calling the
 * engine's services directly in this process, one generation at a time, the run's state folded as
 * the run workflow folds it (src/engine/runState.ts). What is left of a generation's wall time here
 * is the work itself, so a bench can set it beside the same generations run through Temporal.
 */
import { randomUUID } from 'crypto';
import {
  archiveViewFor,
  createStartNode,
  evaluateStage,
  finalizeNode,
  generationAllowance,
  initialState,
  planEvaluation,
  recordedSpend,
  recordGeneration,
  runGenerationSteps,
  scoreNode,
  selectParent,
  selfModify,
  withArchiveLog,
  type EngineDeps,
  type GenerationResult,
  type GenerationServices,
  type RunConfig,
} from '../src/engine';

/** The services a generation calls, bound to `deps`: what the activities adapt, without them. */
function directServices(deps: EngineDeps): GenerationServices {
  return {
    createStartNode: (i) => createStartNode(deps, i),
    selectParent: (i) => selectParent(deps, i),
    selfModify: (i) => selfModify(deps, i),
    planEvaluation: (i) => planEvaluation(deps, i),
    evaluateStage: (i) => evaluateStage(deps, i),
    recordedSpend: (i) => recordedSpend(deps, i),
    scoreNode: (i) => scoreNode(deps, i),
    finalizeNode: (i) => finalizeNode(deps, i),
  };
}

/** One generation run in process: its result and when it ran (epoch ms). */
export interface InProcessGeneration {
  result: GenerationResult;
  startMs: number;
  endMs: number;
}

/** Generation 0 and `config.budget.generations` more, in order, as a run with parallelism 1 takes them. */
export async function runInProcess(
  deps: EngineDeps,
  runId: string,
  config: RunConfig,
  log: (line: string) => void = () => {},
): Promise<InProcessGeneration[]> {
  const services = directServices(deps);
  let state = withArchiveLog(initialState(runId, config, Date.now()), randomUUID());
  const out: InProcessGeneration[] = [];
  for (let generation = 0; generation <= config.budget.generations; generation++) {
    const startMs = Date.now();
    const result = await runGenerationSteps(services, {
      runId,
      generation,
      config,
      budgetLeft: generationAllowance(state, [], 1),
      bestScore: state.bestScore,
      generationsLeft: config.budget.generations - generation,
      archive: archiveViewFor(state, generation, []),
    });
    state = recordGeneration(state, result);
    out.push({ result, startMs, endMs: Date.now() });
    log(
      `${runId} gen ${generation}: ${((Date.now() - startMs) / 1000).toFixed(1)} s, score ${result.score ?? '–'}`,
    );
    if (state.stopReason !== undefined) break;
  }
  return out;
}
