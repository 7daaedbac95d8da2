/**
 * Command-line entry for the training half of an evaluation, in a separate Node process
 * (production: inside the sandbox, together with the agent's reward, which may own this process).
 *   node runner.js [request.json]      (without an argument the request is read from stdin)
 * Request: {"task": "<task id>", "rewardSource": "<js>", "trainingSeed": <integer>}
 * Output on stdout: {"returns": number[][], "trainMs": number, "failure"?: {"kind", "reason"}} with
 * exit code 0, also when the reward function failed; a malformed request prints {"error": ...} and
 * exits with 2. The host reads `returns` (and `failure`) only: it replays CEM from them and scores
 * the policy on episodes of its own (evaluate.ts), so nothing else this process prints can matter.
 */
import * as fs from 'node:fs';
import { getRewardTask } from './tasks';
import { trainWithReward } from './training';

export interface RunnerRequest {
  readonly task: string;
  readonly rewardSource: string;
  /** Seeds CEM and the training episodes. The evaluation seed is never sent. */
  readonly trainingSeed: number;
}

export function parseRunnerRequest(text: string): RunnerRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`request is not JSON: ${(error as Error).message}`);
  }
  const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof r.task !== 'string') throw new Error('request.task must be a task id string');
  getRewardTask(r.task);
  if (typeof r.rewardSource !== 'string') throw new Error('request.rewardSource must be a string');
  if (typeof r.trainingSeed !== 'number' || !Number.isSafeInteger(r.trainingSeed))
    throw new Error('request.trainingSeed must be an integer');
  return { task: r.task, rewardSource: r.rewardSource, trainingSeed: r.trainingSeed };
}

/** The whole runner as a pure function of the request text. */
export function handleRunnerRequest(text: string): { output: string; exitCode: number } {
  let request: RunnerRequest;
  try {
    request = parseRunnerRequest(text);
  } catch (error) {
    return { output: JSON.stringify({ error: (error as Error).message }), exitCode: 2 };
  }
  const { returns, trainMs, failure } = trainWithReward(
    request.task,
    request.rewardSource,
    request.trainingSeed,
  );
  return { output: JSON.stringify({ returns, trainMs, ...(failure ? { failure } : {}) }), exitCode: 0 };
}

function main(): void {
  const file = process.argv[2];
  const text = file !== undefined ? fs.readFileSync(file, 'utf8') : fs.readFileSync(0, 'utf8');
  const { output, exitCode } = handleRunnerRequest(text);
  process.stdout.write(`${output}\n`);
  process.exitCode = exitCode;
}

if (require.main === module) main();
