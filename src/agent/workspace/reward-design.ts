import { simulatorSource, simulatorTask, type SimulatorTask } from '../../domains/reward-design';
import type { ProgramFiles } from '../program';
import type { TrainExamples } from './index';

/** The reward-design domain's name, as the engine and the examples files spell it. */
export const REWARD_DESIGN_DOMAIN = 'reward-design';

/**
 * What a reward-design session's workspace adds: the host's trainer and scorer as one ES module
 * (`sim.mjs`) and the parent's train tasks it can run (`train_tasks.json`), so the meta agent can
 * train and score candidate rewards without the host. Built from the train examples alone (their
 * ids and labels), so only train tasks can be in it: validation and test tasks, their seeds and the
 * held-out environment never are.
 */
export function rewardDesignFiles(
  examples: TrainExamples,
  paths: { sim: string; tasks: string },
): ProgramFiles {
  const tasks: SimulatorTask[] = [];
  for (const e of examples.examples) {
    const label = e.label as { taskId?: unknown; seed?: unknown } | undefined;
    if (typeof label?.taskId !== 'string' || typeof label.seed !== 'number') continue;
    tasks.push(simulatorTask(e.id, { taskId: label.taskId, seed: label.seed }));
  }
  if (tasks.length === 0) return {};
  const json = {
    about:
      "The parent's reward-design train tasks, for sim.mjs: evaluateTask(task, rewardSource, { iterations }) trains " +
      "a policy with the reward (the host's CEM, training seed trainingSeed) and scores it on the true objective " +
      "(the host's evaluation episodes of seed); without `iterations` it is the host's train score exactly.",
    split: 'train',
    node: examples.node,
    tasks,
  };
  return {
    [paths.sim]: simulatorSource(tasks.map((t) => t.envId)),
    [paths.tasks]: `${JSON.stringify(json, null, 1)}\n`,
  };
}
