import { randomBytes } from 'crypto';
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { taskQueues, temporalAddress, type LoadedConfig } from '../config';
import { parseRunConfig, WORK_KINDS, type RunConfig, type RunStatus, type WorkKind } from '../engine';
import { evolutionRun } from '../../workflows';
import { uiLink } from '../../temporal/connection';
import { createKindWorkers } from '../../temporal/worker';
import { domainCatalogFromConfig } from '../wiring/engineDeps';
import type { CliContext } from './context';
import { fmt, printSafe, progressLine, resultsTable, safeBlock, safely, safeText } from './format';
import { progressLines } from '../report/progress';
import { ProgressView } from './progress';
import { resolveDomains } from './domainsAvailable';
import { generationProgress, runStatus } from '../wiring/runOps';

function newRunId(): string {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
  return `run-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** A budget on the command line: a whole number of at least 1, checked before anything starts. */
function parseGenerations(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1)
    throw new Error(`--generations must be a positive whole number, got "${value}"`);
  return n;
}

/** `--queues`: kinds of work, comma-separated, each once; checked before anything starts. */
function parseKinds(value: string): WorkKind[] {
  const kinds = value.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(WORK_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0)
    throw new Error(
      `--queues takes kinds of work from ${WORK_KINDS.join(', ')} (comma-separated), got "${value}"`,
    );
  return WORK_KINDS.filter((k) => kinds.includes(k));
}

/** `hyperagents (orchestration, 100 at once), hyperagents-meta (meta, 16 at once)`. */
function queuesLine(c: LoadedConfig, kinds: readonly WorkKind[]): string {
  return kinds
    .map((k) => `${c.temporal.queues[k].name} (${k}, ${c.temporal.queues[k].concurrency} at once)`)
    .join(', ');
}

/** The running generations' stages, each line made safe to print. */
export async function stageLines(ctx: CliContext, status: RunStatus): Promise<string[]> {
  if (status.running.length === 0) return [];
  const found = await generationProgress(await ctx.temporal(), status.runId, status.running).catch(() => []);
  return progressLines(found).map(safeText);
}

async function follow(ctx: CliContext, runId: string, done: Promise<unknown>): Promise<RunStatus> {
  let last = '';
  let finished = false;
  const view = new ProgressView(process.stdout.isTTY === true);
  void done.finally(() => (finished = true)).catch(() => undefined);
  for (;;) {
    const { status } = await runStatus(await ctx.temporal(), runId).catch(() => ({ status: undefined }));
    if (status) {
      const line = progressLine(status);
      const permanent = line !== last ? [`[${new Date().toISOString().slice(11, 19)}] ${line}`] : [];
      last = line;
      process.stdout.write(view.update(permanent.map(safeBlock), await stageLines(ctx, status), Date.now()));
    }
    if (finished) break;
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  }
  process.stdout.write(view.finish());
  return (await done) as RunStatus;
}

export async function printResults(ctx: CliContext, status: RunStatus): Promise<void> {
  const archive = ctx.archive();
  const start = await archive.getNode(status.runId, 'gen-00000');
  const best = status.bestNodeId ? await archive.getNode(status.runId, status.bestNodeId) : undefined;
  printSafe(`\nrun ${status.runId} finished: ${safeText(status.stopReason ?? 'done')}`);
  printSafe(resultsTable(start, best, status.domains));
  printSafe(`\nbest mean validation score ${fmt(status.bestScore)}; spent $${status.spentUsd.toFixed(4)}`);
  if (status.test) {
    printSafe(`imp@${status.test.k} (best test − start test, mean over domains): ${fmt(status.test.impAtK)}`);
    // A figure partly made of fallback answers must not pass for the model's.
    if (status.test.incomplete?.length)
      printSafe(
        `  incomplete: LLM calls were refused or failed in ${status.test.incomplete.map(safeText).join('; ')}`,
      );
  }
  const link = uiLink(ctx.config(), status.runId);
  if (link) printSafe(`Temporal UI: ${link}`);
  printSafe(`archive:     hyperagents archive ${status.runId}`);
}

export function registerRunCommands(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('start an evolution run (settings: the config file\'s "run" section)')
    .option('--id <runId>', 'run id (default: run-<timestamp>-<random>)')
    .option('--generations <n>', 'generation budget', parseGenerations)
    .option('--domains <list>', 'comma-separated domains (default: the built-ins whose data is available)')
    .option('--method <method>', 'dgm-h | no-self-improve | no-open-ended | dgm')
    .option('--follow', 'show live progress until the run ends, then the results table')
    .option('--worker', 'also run a worker in this process (the embedded default)')
    .action(
      safely(
        async (opts: {
          id?: string;
          generations?: number;
          domains?: string;
          method?: string;
          follow?: boolean;
          worker?: boolean;
        }) => {
          const c = ctx.config();
          const raw: Record<string, unknown> = { ...(c.run ?? {}) };
          if (opts.generations !== undefined)
            raw.budget = { ...(raw.budget as object), generations: opts.generations };
          if (opts.method) raw.method = opts.method;
          if (opts.domains)
            raw.domains = opts.domains
              .split(',')
              .map((d) => d.trim())
              .filter(Boolean);
          const explicit = raw.domains !== undefined;
          const config: RunConfig = parseRunConfig(raw);
          const catalog = await domainCatalogFromConfig(c);
          config.domains = await resolveDomains(catalog, config, explicit, (m) => console.log(m));
          const runId = opts.id ?? newRunId();
          const client = await ctx.temporal();
          const queues = taskQueues(c);
          try {
            await client.workflow.start(evolutionRun, {
              workflowId: runId,
              taskQueue: queues.orchestration,
              args: [{ runId, config, queues }],
            });
          } catch (e) {
            if (e instanceof WorkflowExecutionAlreadyStartedError)
              throw new Error(`a run with id ${runId} already exists`);
            throw e;
          }
          console.log(
            `run ${runId} started: ${config.method}, ${config.budget.generations} generations, domains ${config.domains.join(', ')}`,
          );
          const link = uiLink(c, runId);
          if (link) console.log(`Temporal UI: ${link}`);
          const handle = client.workflow.getHandle(runId);
          if (!opts.worker)
            console.log(
              `workers on task queues ${WORK_KINDS.map((k) => queues[k]).join(', ')} run it: start one with \`hyperagents worker\` if none runs`,
            );
          if (!opts.follow && !opts.worker) return;
          const running = opts.worker ? await createKindWorkers(c) : undefined;
          const done = handle.result();
          try {
            const work = running ? running.runUntil(done) : done;
            const final = opts.follow ? await follow(ctx, runId, work) : ((await work) as RunStatus);
            await printResults(ctx, final);
          } finally {
            await running?.close();
          }
        },
      ),
    );

  program
    .command('worker')
    .description('run a worker for the configured task queues until interrupted')
    .option(
      '--queues <kinds>',
      `the kinds of work to poll, comma-separated: ${WORK_KINDS.join(', ')} (default: all)`,
      parseKinds,
    )
    .action(async (opts: { queues?: WorkKind[] }) => {
      const c = ctx.config();
      const kinds = opts.queues ?? WORK_KINDS;
      const running = await createKindWorkers(c, kinds);
      console.log(
        `worker polling ${queuesLine(c, kinds)} at ${temporalAddress(c)} (namespace ${c.temporal.namespace}); Ctrl-C stops it`,
      );
      try {
        await running.run();
      } finally {
        await running.close();
      }
    });
}
