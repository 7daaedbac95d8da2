import * as os from 'os';
import * as path from 'path';
import type { Command } from 'commander';
import { pauseSignal, resumeSignal } from '../../workflows/messages';
import type { CliContext } from './context';
import { exportNode } from './exportNode';
import { registerReleaseCommands } from './releaseCommands';
import { archiveTable, fmt, printSafe, progressLine, safeBlock, safely, safeText, table } from './format';
import { ProgressView } from './progress';
import { stageLines } from './runCommands';
import { decide, listRuns, onRun, runStatus } from '../wiring/runOps';

// Everything these commands print may hold agent-written text: through the format helpers only.
const print = printSafe;

/** Who decides when `--by` is not given: the login name. */
function loginName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export function registerOpsCommands(program: Command, ctx: CliContext): void {
  program
    .command('status <run>')
    .description('generation, best node and score, budget, pending approvals, stop reason')
    .option('--json', 'machine-readable output')
    .option('--watch', 'refresh every 2 s until the run ends')
    .action(
      safely(async (runId: string, opts: { json?: boolean; watch?: boolean }) => {
        // --watch: the status when it changes, and below it what each running generation does.
        const view = new ProgressView(process.stdout.isTTY === true);
        let last = '';
        for (;;) {
          const { status, live } = await runStatus(await ctx.temporal(), runId);
          if (opts.json) print(status);
          else {
            const block = [
              `${runId} (${status.method}, domains ${status.domains.join(', ')}): ${progressLine(status)}`,
              ...Object.entries(status.bestPerDomain).map(([d, s]) => `  best ${d}: ${fmt(s)}`),
            ].map(safeBlock);
            const changed = block.join('\n') !== last;
            last = block.join('\n');
            const stages = live && !status.stopReason ? await stageLines(ctx, status) : [];
            process.stdout.write(view.update(changed ? block : [], stages, Date.now()));
          }
          if (!opts.watch || !live || status.stopReason) return;
          await new Promise((r) => setTimeout(r, 2000));
        }
      }),
    );

  program
    .command('list')
    .description('evolution runs known to Temporal')
    .action(
      safely(async () => {
        const rows = (await listRuns(await ctx.temporal())).map((r) => [
          r.runId,
          r.state,
          String(r.generation ?? ''),
          fmt(r.bestScore),
          r.startTime.toISOString(),
        ]);
        print(
          rows.length
            ? table(['run', 'state', 'generation', 'best', 'started'], rows)
            : 'no runs yet: start one with `hyperagents run`',
        );
      }),
    );

  for (const [name, signal, verb] of [
    ['pause', pauseSignal, 'paused: no new generation starts; running ones finish'],
    ['resume', resumeSignal, 'resumed'],
  ] as const) {
    program
      .command(`${name} <run>`)
      .description(`${name} a run`)
      .action(
        safely(async (runId: string) => {
          const handle = (await ctx.temporal()).workflow.getHandle(runId);
          await onRun(runId, () => handle.signal(signal));
          print(`${runId}: ${verb}`);
        }),
      );
  }

  for (const [verb, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    program
      .command(`${verb} <run> <node>`)
      .description(`${verb} a node the approval policy holds`)
      .option('--note <text>', 'why')
      .option('--by <name>', 'who decides, recorded in the node (default: the login name)')
      .action(
        safely(async (runId: string, nodeId: string, opts: { note?: string; by?: string }) => {
          if (!approve && !opts.note?.trim())
            throw new Error(`reject ${nodeId} needs --note "<why>": a rejection is recorded with its reason`);
          print(
            await decide(await ctx.temporal(), {
              runId,
              nodeId,
              approve,
              ...(opts.note !== undefined ? { note: opts.note } : {}),
              reviewer: opts.by?.trim() || loginName(),
            }),
          );
        }),
      );
  }

  program
    .command('pending <run>')
    .description('nodes waiting for approval')
    .action(
      safely(async (runId: string) => {
        const { status } = await runStatus(await ctx.temporal(), runId);
        print(
          status.pending.length
            ? table(
                ['node', 'generation', 'reason', 'score'],
                status.pending.map((p) => [p.nodeId, String(p.generation), p.reason, fmt(p.score)]),
              )
            : 'nothing is waiting for approval',
        );
      }),
    );

  program
    .command('archive <run>')
    .description('every node of a run with its scores (train/val)')
    .option('--json', 'machine-readable output')
    .action(
      safely(async (runId: string, opts: { json?: boolean }) => {
        const nodes = await ctx.archive().listNodes(runId);
        if (nodes.length === 0) throw new Error(`run ${runId} has no nodes in the archive`);
        if (opts.json) return print(nodes);
        const domains = [...new Set(nodes.flatMap((n) => Object.keys(n.scores)))].sort();
        print(archiveTable(nodes, domains));
      }),
    );

  program
    .command('lineage <run> <node>')
    .description('the ancestors of a node, root first')
    .action(
      safely(async (runId: string, nodeId: string) => {
        const chain = await ctx.archive().lineage(runId, nodeId);
        print(
          chain
            .map(
              (n) => `${n.nodeId}  ${n.strategy}  changed: ${n.changedPaths.map(safeText).join(', ') || '—'}`,
            )
            .join('\n'),
        );
      }),
    );

  program
    .command('diff <run> <node>')
    .description("a node's patch against its parent (or --against another node)")
    .option('--against <node>', 'compare with this node instead of the parent')
    .action(
      safely(async (runId: string, nodeId: string, opts: { against?: string }) => {
        const archive = ctx.archive();
        const node = await archive.requireNode(runId, nodeId);
        const base = opts.against ?? node.parentId;
        if (!base) throw new Error(`${nodeId} is the start node of ${runId}: give --against <node>`);
        const d = await archive.diffNodes(runId, base, nodeId);
        print(d.patch || `no difference between ${base} and ${nodeId}`);
        if (d.wholeFile.length)
          console.error(
            `shown whole (too many changed lines to diff line by line): ${d.wholeFile.map(safeText).join(', ')}`,
          );
      }),
    );

  // For review only: what leaves the archive for use is a release (`promote`, then `export <release>`).
  program
    .command('inspect <run> <node> <dir>')
    .description("write any node's program, record and patch to a folder, for review (not a release)")
    .action(
      safely(async (runId: string, nodeId: string, dir: string) => {
        const out = await exportNode(ctx.archive(), runId, nodeId, path.resolve(dir));
        print(`copied ${runId}/${nodeId} for review to ${out.programDir} (record: ${out.nodeFile})`);
        console.error(out.warning);
      }),
    );

  registerReleaseCommands(program, ctx);

  program
    .command('cancel <run>')
    .description('cancel a run (its archive stays)')
    .action(
      safely(async (runId: string) => {
        const handle = (await ctx.temporal()).workflow.getHandle(runId);
        await onRun(runId, () => handle.cancel());
        print(`${runId}: cancellation requested`);
      }),
    );
}
