import * as fs from 'fs';
import * as path from 'path';
import { type z } from 'zod';
import { projectRoot } from '../host/assets';
import { configSchema, type Config } from './schema';
import { envBindings } from './env';

/** A user mistake in configuration: the CLI prints the message alone, never a stack. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  /** Explicit config file (CLI `--config`); else HYPERAGENTS_CONFIG; else ./hyperagents.config.json if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig extends Config {
  /** The config file that was read, if any. */
  source?: string;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`config file ${file}: cannot be read`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`config file ${file}: not a JSON object (${(e as Error).message})`);
  }
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const b of envBindings) {
    const value = env[b.name];
    if (value === undefined || value === '') continue;
    if (b.kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new ConfigError(`${b.name}=${value}: must be a number (${b.path.join('.')})`);
      setPath(raw, b.path, n);
    } else {
      setPath(raw, b.path, value);
    }
  }
}

export function formatIssues(error: z.ZodError, origin: string): string {
  return error.issues
    .map((i) => `${origin}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Defaults < config file < environment. Relative folders resolve from the project root. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  let file = opts.file ?? env.HYPERAGENTS_CONFIG;
  if (!file && fs.existsSync(path.join(cwd, 'hyperagents.config.json'))) file = 'hyperagents.config.json';
  const source = file ? path.resolve(cwd, file) : undefined;
  const raw = source ? readFile(source) : {};
  applyEnv(raw, env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, source ?? 'configuration'));
  const config = parsed.data;
  const abs = (p: string) => path.resolve(projectRoot, p);
  return {
    ...config,
    stateDir: abs(config.stateDir),
    toolsDir: abs(config.toolsDir),
    dataDir: config.dataDir ? path.resolve(cwd, config.dataDir) : undefined,
    source,
  };
}

export function temporalAddress(c: Config): string {
  return c.temporal.address ?? `${c.host}:${c.temporal.port}`;
}

export function s3Endpoint(c: Config): string {
  return c.s3.endpoint ?? `http://${c.host}:${c.s3.port}`;
}
