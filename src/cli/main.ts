import { Command, CommanderError } from 'commander';
import { loadConfig, type LoadedConfig } from '../config';
import { registerDevCommands } from './devCommands';
import { registerSmokeCommand } from './smokeCommand';
import { reportError } from './errors';

export function buildProgram(): Command {
  const program = new Command('hyperagents')
    .description('DGM-H self-improving hyperagents on Temporal')
    .option(
      '-c, --config <file>',
      'config file (JSON); default: $HYPERAGENTS_CONFIG or ./hyperagents.config.json',
    )
    .exitOverride()
    .showHelpAfterError();
  let loaded: LoadedConfig | undefined;
  const config = () => (loaded ??= loadConfig({ file: program.opts<{ config?: string }>().config }));
  registerDevCommands(program, config);
  registerSmokeCommand(program, config);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    process.exitCode = reportError(e);
  }
}
