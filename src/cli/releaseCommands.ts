import * as os from 'os';
import * as path from 'path';
import type { Command } from 'commander';
import { listReleases, promote } from '../engine';
import type { CliContext } from './context';
import { exportRelease } from './exportRelease';
import { printSafe, safely, table } from './format';

const print = printSafe;

/** Who is promoting: `--by`, else the login name. */
function promoter(by: string | undefined): string {
  if (by?.trim()) return by.trim();
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** `promote`, `releases` and `export`: the sandbox-to-production step (src/engine/promote.ts). */
export function registerReleaseCommands(program: Command, ctx: CliContext): void {
  program
    .command('promote <run> <node>')
    .description('make an approved node a release (an immutable copy under releases/)')
    .option('--note <text>', 'why, kept in the release manifest')
    .option('--by <name>', 'who promotes (default: the login name)')
    .action(
      safely(async (runId: string, nodeId: string, opts: { note?: string; by?: string }) => {
        const m = await promote(
          { archive: ctx.archive(), store: ctx.store() },
          { runId, nodeId, by: promoter(opts.by), ...(opts.note ? { note: opts.note } : {}) },
        );
        print(
          `promoted ${runId}/${nodeId} as ${m.releaseId}` +
            (m.previousRelease
              ? ` (diff against ${m.previousRelease}: ${m.changedPaths.length} file(s) changed)`
              : ' (the first release)'),
        );
      }),
    );

  program
    .command('releases')
    .description('every release, oldest first')
    .option('--json', 'machine-readable output')
    .action(
      safely(async (opts: { json?: boolean }) => {
        const all = await listReleases({ store: ctx.store() });
        if (opts.json) return print(all);
        print(
          all.length
            ? table(
                ['release', 'run', 'node', 'promoted by', 'at', 'previous'],
                all.map((m) => [
                  m.releaseId,
                  m.runId,
                  m.nodeId,
                  m.promotedBy,
                  m.promotedAt,
                  m.previousRelease ?? '—',
                ]),
              )
            : 'no releases yet: promote an approved node with `hyperagents promote <run> <node>`',
        );
      }),
    );

  program
    .command('export <release> <dir>')
    .description("write a release's program, manifest, record, scores, approval and diff to a folder")
    .action(
      safely(async (releaseId: string, dir: string) => {
        const out = await exportRelease({ store: ctx.store() }, releaseId, path.resolve(dir));
        print(`exported ${releaseId} to ${out.programDir} (manifest: ${out.manifestFile})`);
      }),
    );
}
