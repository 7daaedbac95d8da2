import { Command, CommanderError } from 'commander';
import { loadConfig, type LoadedConfig } from '../config';
import { registerCodecCommand } from './codecCommand';
import { registerConsoleCommands } from './consoleCommand';
import { CliContext } from './context';
import { registerDevCommands } from './devCommands';
import { registerDoctorCommand } from './doctor';
import { registerEvalCommand } from './evalCommand';
import { registerOpsCommands } from './opsCommands';
import { registerRunCommands } from './runCommands';
import { registerSmokeCommand } from './smokeCommand';
import { reportError } from './errors';

/** Commander's `error: unknown command 'x'` as `hyperagents: unknown command 'x' (see hyperagents --help)`. */
export function usageError(text: string): string {
  const message = text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ');
  return `hyperagents: ${message} (see \`hyperagents --help\`)\n`;
}

export function buildProgram(ctx?: { value?: CliContext }): Command {
  const program = new Command('hyperagents')
    .description('DGM-H self-improving hyperagents on Temporal')
    .option(
      '-c, --config <file>',
      'config file (JSON); default: $HYPERAGENTS_CONFIG or ./hyperagents.config.json',
    )
    .exitOverride()
    // A usage mistake is one line like every other error, not the whole help text.
    .configureOutput({ outputError: (text, write) => write(usageError(text)) });
  let loaded: LoadedConfig | undefined;
  const config = () => (loaded ??= loadConfig({ file: program.opts<{ config?: string }>().config }));
  const context = new CliContext(config);
  if (ctx) ctx.value = context;
  registerDevCommands(program, config);
  registerSmokeCommand(program, config);
  registerDoctorCommand(program, config);
  registerRunCommands(program, context);
  registerOpsCommands(program, context);
  registerEvalCommand(program, context);
  registerCodecCommand(program, config);
  registerConsoleCommands(program, config);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const holder: { value?: CliContext } = {};
  try {
    await buildProgram(holder).parseAsync(argv);
  } catch (e) {
    process.exitCode = e instanceof CommanderError ? e.exitCode : reportError(e);
  } finally {
    await holder.value?.close().catch(() => undefined);
  }
}
