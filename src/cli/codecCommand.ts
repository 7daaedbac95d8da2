import type { Command } from 'commander';
import { ConfigError, type LoadedConfig } from '../config';
import { uiLink } from '../../temporal/connection';
import { payloadCodec } from '../../temporal/codec';
import { codecToken, startCodecServer } from '../../temporal/codecServer';

export const CODEC_SERVER_PORT = 8234;

/** The Web UI's origins: temporal.uiUrl's, else the embedded UI's (by 127.0.0.1 and by localhost). */
export function uiOrigins(c: LoadedConfig): string[] {
  const link = uiLink(c);
  if (link === undefined) return [];
  const origin = new URL(link).origin;
  const local = new URL(origin);
  if (c.temporal.uiUrl === undefined && ['127.0.0.1', 'localhost'].includes(local.hostname)) {
    local.hostname = local.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    return [origin, local.origin];
  }
  return [origin];
}

const collect = (value: string, previous: string[] = []) => {
  try {
    return [...previous, new URL(value).origin];
  } catch {
    throw new ConfigError(`--origin ${value}: not a URL (e.g. http://127.0.0.1:8233)`);
  }
};

/** `hyperagents codec-server`: the remote codec endpoint for the Web UI and the Temporal CLI. */
export function registerCodecCommand(program: Command, config: () => LoadedConfig): void {
  program
    .command('codec-server')
    .description(
      'serve the codec endpoint that shows encrypted histories to the Temporal UI (temporal.encryption)',
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on', (v) => Number(v), CODEC_SERVER_PORT)
    .option(
      '--origin <url>',
      'a Web UI origin allowed by CORS, repeatable (default: the configured UI)',
      collect,
    )
    .action(async (opts: { host: string; port: number; origin?: string[] }) => {
      const c = config();
      const codec = payloadCodec(c);
      if (!codec)
        throw new ConfigError(
          'encryption is off: give keys (HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile) to serve a codec endpoint',
        );
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)
        throw new ConfigError(`--port ${opts.port}: not a port`);
      const origins = opts.origin ?? uiOrigins(c);
      if (origins.length === 0)
        throw new ConfigError('no Web UI origin to allow: set temporal.uiUrl or pass --origin <url>');
      const server = await startCodecServer({
        codec,
        token: codecToken(c),
        origins,
        host: opts.host,
        port: opts.port,
      });
      console.log(
        `codec endpoint ${server.url} (current key ${codec.currentKeyId}; CORS for ${origins.join(', ')}); sign in at ${server.url}/login; Ctrl-C stops it`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
