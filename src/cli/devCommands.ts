import type { Command } from 'commander';
import { down, status, up } from '../devstack';
import { temporalEmbedded, type LoadedConfig } from '../config';

const log = (msg: string) => console.log(msg);

export function registerDevCommands(program: Command, config: () => LoadedConfig): void {
  const dev = program
    .command('dev')
    .description('the embedded stack: Temporal dev server, S3 server, Docker');
  dev
    .command('up')
    .description('start the stack (idempotent: what runs is left alone)')
    .action(async () => {
      const started = Date.now();
      const c = config();
      const { sandboxBackend } = await up(c, log);
      log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s; sandbox backend: ${sandboxBackend}`);
      if (temporalEmbedded(c)) log(`Temporal UI: http://${c.host}:${c.temporal.uiPort}`);
      else if (c.temporal.uiUrl) log(`Temporal UI: ${c.temporal.uiUrl}`);
    });
  dev
    .command('down')
    .description('stop what `dev up` started')
    .action(async () => down(config(), log));
  dev
    .command('status')
    .description('show which services run')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = await status(config());
      if (opts.json) return log(JSON.stringify(rows, null, 2));
      for (const r of rows) {
        const state = r.external ? 'external' : r.running ? `running (pid ${r.pid})` : 'stopped';
        log(`${r.name.padEnd(9)} ${state.padEnd(22)} ${r.endpoint ?? ''}${r.note ? `  [${r.note}]` : ''}`);
      }
    });
}
