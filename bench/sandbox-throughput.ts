/**
 * Sandbox throughput: a trivial task agent (doubles a number) over N tasks, run as one sandbox session
 * per task and as one batched session (JSON lines over stdio, the protocol of
 * src/agent/harness/run_tasks.mjs), on Docker and on bubblewrap. Prints a Markdown table of tasks per
 * second and per-task time. Needs the stack up (`hyperagents dev up`) and root for bubblewrap limits.
 * Run after a build: `node dist/bench/sandbox-throughput.js [N]` (default 200).
 *
 * `--real`: the seed program's own task agent instead, answering each built-in domain's train split
 * (the run's default sizes) through the engine's batch runner (run_tasks.mjs, the agent's real work,
 * no LLM), one session per task against one session for the split, on both backends.
 */
import { seedProgram } from '../src/agent/layout';
import { sandboxBatchRunner } from '../src/agent/sandboxRunners';
import { loadConfig } from '../src/config';
import { agentView, BUILTIN_DOMAIN_NAMES, DomainRegistry } from '../src/domains';
import { numericSeed, parseRunConfig, sizesFor } from '../src/engine';
import { dockerClient, stateLayout } from '../src/devstack';
import {
  BubblewrapSandbox,
  DockerSandbox,
  ensureRootfs,
  ensureSandboxImage,
  type Sandbox,
  type SandboxRunSpec,
} from '../src/sandbox';

/** Reads tasks as JSON lines, answers each as soon as it arrives: one line in, one line out. */
const AGENT = `
import readline from 'node:readline';
const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const t = JSON.parse(line);
  process.stdout.write(JSON.stringify({ id: t.id, prediction: t.input * 2 }) + '\\n');
}
`;

const LIMITS = { memoryMb: 256, cpus: 1, pids: 64, timeoutSec: 120, scratchMb: 16 };

function session(tasks: Array<{ id: string; input: number }>): SandboxRunSpec {
  return {
    files: { 'agent.mjs': AGENT },
    command: ['/usr/bin/node', 'agent.mjs'],
    env: { PATH: '/usr/bin:/bin' },
    stdin: tasks.map((t) => JSON.stringify(t)).join('\n') + '\n',
    limits: LIMITS,
  };
}

/** Runs the tasks and checks every answer, so a broken sandbox cannot look fast. */
async function timed(sandbox: Sandbox, tasks: Array<{ id: string; input: number }>, batched: boolean) {
  const started = process.hrtime.bigint();
  const outs: string[] = [];
  if (batched) outs.push((await sandbox.run(session(tasks))).stdout);
  else for (const t of tasks) outs.push((await sandbox.run(session([t]))).stdout);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const answers = outs
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; prediction: number });
  const wrong = tasks.filter((t, i) => answers[i]?.id !== t.id || answers[i]?.prediction !== t.input * 2);
  if (wrong.length > 0) throw new Error(`${wrong.length} wrong or missing answers`);
  return ms;
}

/** The seed's task agent over every built-in domain's train split: per-task sessions against one batch. */
async function realAgents(backends: Array<[string, Sandbox]>): Promise<void> {
  const run = parseRunConfig({});
  const program = await seedProgram();
  const registry = new DomainRegistry();
  console.log("\nThe seed task agent (no LLM) on each domain's train split\n");
  console.log(
    '| domain | tasks | backend | one session per task (s) | ms per task | one batched session (s) | ms per task | speed-up |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|---:|');
  for (const name of BUILTIN_DOMAIN_NAMES) {
    const domain = registry.get(name);
    const loaded = await domain.loadTasks({ seed: numericSeed(run.seed), sizes: sizesFor(run, name) });
    const tasks = loaded.splits.train.map((t) => agentView(t));
    for (const [backend, sandbox] of backends) {
      const runner = sandboxBatchRunner({
        sandbox: () => Promise.resolve(sandbox),
        limits: { ...LIMITS, memoryMb: 512 },
        program,
        domain,
        perTaskSec: run.timeouts.perTaskSec,
        concurrency: 4,
        maxBatchSec: 3600,
      });
      // Every task must be answered (a prediction or the agent's own error), or the runner throws.
      let started = process.hrtime.bigint();
      for (const t of tasks) await runner([t]);
      const single = Number(process.hrtime.bigint() - started) / 1e9;
      started = process.hrtime.bigint();
      await runner(tasks);
      const batched = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `| ${name} | ${tasks.length} | ${backend} | ${single.toFixed(2)} | ${((1000 * single) / tasks.length).toFixed(1)} | ` +
          `${batched.toFixed(2)} | ${((1000 * batched) / tasks.length).toFixed(1)} | ${(single / batched).toFixed(1)}× |`,
      );
    }
  }
}

async function main(): Promise<void> {
  const c = loadConfig();
  const layout = stateLayout(c);
  const docker = dockerClient(c);
  const backends: Array<[string, Sandbox]> = [
    ['docker', new DockerSandbox(docker, await ensureSandboxImage(docker, layout.sandboxRoot))],
    ['bubblewrap', new BubblewrapSandbox(ensureRootfs(layout.sandboxRoot).dir)],
  ];
  if (process.argv.includes('--real')) return realAgents(backends);
  const n = Number(process.argv[2] ?? 200);
  const tasks = Array.from({ length: n }, (_, i) => ({ id: `t${i}`, input: i }));
  const rows: Array<{ mode: string; ms: number }> = [];
  for (const [name, sandbox] of backends) {
    await timed(sandbox, tasks.slice(0, 2), false); // warm-up: image and page cache
    for (const batched of [false, true]) {
      const mode = `${name}, ${batched ? 'one batched session' : 'one session per task'}`;
      rows.push({ mode, ms: await timed(sandbox, tasks, batched) });
      console.error(`done: ${mode}`);
    }
  }
  const base = rows[0]!.ms;
  console.log(`\n${n} tasks of a trivial task agent\n`);
  console.log('| mode | total (s) | tasks/s | ms per task | speed-up vs docker per task |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const perTask = r.ms / n;
    console.log(
      `| ${r.mode} | ${(r.ms / 1000).toFixed(2)} | ${(n / (r.ms / 1000)).toFixed(1)} | ${perTask.toFixed(1)} | ${(base / r.ms).toFixed(1)}× |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
