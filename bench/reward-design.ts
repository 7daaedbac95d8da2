/**
 * Timings of one reward-design evaluation per task and reference reward (default = Gymnasium's
 * human reward, zero = constant 0, random = seeded noise). Run after a build:
 *   npx tsc -p tsconfig.build.json && node dist/bench/reward-design.js [seed]
 */
import { evaluateReward } from '../src/domains/reward-design/evaluate';
import { REWARD_TASKS } from '../src/domains/reward-design/tasks';

const REFERENCE_REWARDS: Readonly<Record<string, string | undefined>> = {
  zero: 'function reward() { return 0; }',
  random: 'function reward() { return Math.random() - 0.5; }',
};

function main(): void {
  const seed = Number(process.argv[2] ?? 1);
  const rows: string[][] = [['task', 'role', 'reward', 'train ms', 'score ms', 'score']];
  for (const task of REWARD_TASKS) {
    for (const name of ['default', 'zero', 'random']) {
      const source = REFERENCE_REWARDS[name] ?? task.defaultRewardSource;
      const result = evaluateReward(task, source, seed);
      rows.push([
        task.id,
        task.role,
        name,
        String(result.details.trainMs),
        String(result.details.scoreMs),
        result.score.toFixed(3),
      ]);
    }
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '));
}

main();
