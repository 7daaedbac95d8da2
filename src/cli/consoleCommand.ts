import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { ConfigError, type LoadedConfig } from '../config';
import { writeReport } from '../console/report';
import { LOOPBACK_HOSTS, newConsoleToken, startConsole } from '../console/server';
import { renderSvg } from '../report/svg';
import { consoleBackendFromConfig } from '../wiring/consoleBackend';
import { safely } from './format';

/** The configured token (HYPERAGENTS_CONSOLE_TOKEN or console.tokenFile), if any. */
function configuredToken(c: LoadedConfig): string | undefined {
  if (c.console.token) return c.console.token;
  if (c.console.tokenFile) return fs.readFileSync(c.console.tokenFile, 'utf8').trim() || undefined;
  return undefined;
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`--port ${v}: not a port`);
  return n;
};

/** `hyperagents console` (the web console) and `hyperagents report` (its pictures as one file). */
export function registerConsoleCommands(program: Command, config: () => LoadedConfig): void {
  program
    .command('console')
    .description('serve the web console: runs, charts, the archive tree, diffs, approvals (console.*)')
    .option('--host <address>', 'address to listen on (default: console.host, 127.0.0.1)')
    .option('--port <n>', 'port to listen on (default: console.port, 8235; 0: any free port)', port)
    .action(
      safely(async (opts: { host?: string; port?: number }) => {
        const c = config();
        const host = opts.host ?? c.console.host;
        let token = configuredToken(c);
        if (!LOOPBACK_HOSTS.includes(host) && !token)
          throw new ConfigError(
            `a console on ${host} (not loopback) needs a token: set HYPERAGENTS_CONSOLE_TOKEN or console.tokenFile`,
          );
        const generated = token === undefined;
        token ??= newConsoleToken();
        const opened = await consoleBackendFromConfig(c);
        const backend = opened.backend;
        const server = await startConsole({
          backend,
          token,
          host,
          port: opts.port ?? c.console.port,
          renderSvg,
        });
        console.log(`console ${server.url}/ ; Ctrl-C stops it`);
        if (generated)
          console.log(
            `token for approvals (generated for this start, shown once): ${token}\n  open ${server.url}/#token=${token}`,
          );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
        await opened.close();
      }),
    );

  program
    .command('report <run>')
    .description("a run's charts, archive tree and node table as one self-contained HTML file")
    .requiredOption('--out <dir>', 'folder to write <run>.html into')
    .action(
      safely(async (runId: string, opts: { out: string }) => {
        const opened = await consoleBackendFromConfig(config());
        try {
          const file = await writeReport(opened.backend, renderSvg, runId, path.resolve(opts.out));
          console.log(`report of ${runId}: ${file}`);
        } finally {
          await opened.close();
        }
      }),
    );
}
