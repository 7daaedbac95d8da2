import { nodeIdFor, type NodeRecord } from '../../archive';
import { META_SET, TASK_SET, dgmMetaAgent, seedProgram } from '../../agent/layout';
import { replaceSet } from '../../agent/program';
import type { EngineDeps } from '../deps';
import type { ChildDraft, RunConfig } from '../types';
import { draftOf } from './draft';
import { validateProgram } from './validate';

/** The run's `start` names a node that does not exist: retrying cannot help. */
export class StartNodeError extends Error {
  override name = 'StartNodeError';
}

/**
 * Generation 0: archives the start program (the seed, or a node of another run with its task or meta
 * agent reset to the seed's, for transfer: exactly TASK_SET or META_SET, nothing of the other) after
 * validating it. In a `dgm` run its META_SET is DGM's meta agent, which the frozen-meta path of
 * selfModify then runs and restores in every generation. A retry returns the stored node.
 */
export async function createStartNode(
  deps: EngineDeps,
  input: { runId: string; config: RunConfig },
  signal?: AbortSignal,
): Promise<ChildDraft> {
  const { runId, config } = input;
  const { archive } = deps;
  const nodeId = nodeIdFor(0);
  const existing = await archive.getNode(runId, nodeId);
  if (existing) return draftOf(existing);
  const seed = await seedProgram();
  let program = seed;
  if (config.start) {
    const from = await archive.getNode(config.start.run, config.start.node);
    if (!from) throw new StartNodeError(`start node ${config.start.run}/${config.start.node} does not exist`);
    const startProgram = await archive.getProgram(from.snapshotKey);
    const reset =
      config.start.reset === 'task' ? TASK_SET : config.start.reset === 'meta' ? META_SET : undefined;
    program = reset ? replaceSet(startProgram, reset, seed) : startProgram;
  }
  if (config.method === 'dgm') program = replaceSet(program, META_SET, await dgmMetaAgent());
  const reasons = await validateProgram(deps, config, program, signal);
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
}
