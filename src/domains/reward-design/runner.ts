/**
 * Command-line entry for one evaluation in a separate Node process (production: inside the sandbox).
 *   node runner.js [request.json]      (without an argument the request is read from stdin)
 * Request: {"task": "<task id>", "rewardSource": "<js>", "seed": <integer>}
 * Output on stdout: {"score": number, "details": {...}} with exit code 0, also when the reward
 * function failed (score 0, details.failure says why); a malformed request prints {"error": ...}
 * and exits with 2. The host must not trust `score`: it re-scores details.policyParameters itself.
 */
import * as fs from 'node:fs';
import { evaluateReward } from './evaluate';
import { getRewardTask } from './tasks';

export interface RunnerRequest {
  readonly task: string;
  readonly rewardSource: string;
  readonly seed: number;
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
  if (typeof r.seed !== 'number' || !Number.isSafeInteger(r.seed))
    throw new Error('request.seed must be an integer');
  return { task: r.task, rewardSource: r.rewardSource, seed: r.seed };
}

/** The whole runner as a pure function of the request text. */
export function handleRunnerRequest(text: string): { output: string; exitCode: number } {
  let request: RunnerRequest;
  try {
    request = parseRunnerRequest(text);
  } catch (error) {
    return { output: JSON.stringify({ error: (error as Error).message }), exitCode: 2 };
  }
  const { score, details } = evaluateReward(request.task, request.rewardSource, request.seed);
  return { output: JSON.stringify({ score, details }), exitCode: 0 };
}

function main(): void {
  const file = process.argv[2];
  const text = file !== undefined ? fs.readFileSync(file, 'utf8') : fs.readFileSync(0, 'utf8');
  const { output, exitCode } = handleRunnerRequest(text);
  process.stdout.write(`${output}\n`);
  process.exitCode = exitCode;
}

if (require.main === module) main();
