import * as fs from 'fs';
import * as path from 'path';
import { type z } from 'zod';
import { projectRoot } from '../host/assets';
import { configSchema, defaultQueueName, type Config } from './schema';
import { envBindings } from './env';
import { WORK_KINDS, type TaskQueues } from '../engine/types';

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
    if (b.kind === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(value))
        throw new ConfigError(`${b.name}=${value}: must be true or false (${b.path.join('.')})`);
      setPath(raw, b.path, value === 'true' || value === '1');
    } else if (b.kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new ConfigError(`${b.name}=${value}: must be a number (${b.path.join('.')})`);
      setPath(raw, b.path, n);
    } else {
      setPath(raw, b.path, value);
    }
  }
}

/**
 * An S3 service this project does not run (`s3.embedded: false`) with no `s3.region` set (file or
 * HYPERAGENTS_S3_REGION) takes its region where the AWS SDK and CLI do: AWS_REGION, else
 * AWS_DEFAULT_REGION; the schema's us-east-1 only when neither is set. The embedded server keeps
 * us-east-1 (it ignores the region).
 */
function applyAwsRegion(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  if (getPath(raw, ['s3', 'embedded']) !== false || getPath(raw, ['s3', 'region']) !== undefined) return;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) setPath(raw, ['s3', 'region'], region);
}

/** Secrets a config file must not hold in clear: each with where it may come from instead. */
const SECRETS: Array<{ path: string[]; instead: string }> = [
  { path: ['temporal', 'apiKey'], instead: 'HYPERAGENTS_TEMPORAL_API_KEY or temporal.apiKeyFile' },
  {
    path: ['temporal', 'encryption', 'keys'],
    instead: 'HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile',
  },
  {
    path: ['temporal', 'encryption', 'codecToken'],
    instead: 'HYPERAGENTS_CODEC_TOKEN or temporal.encryption.codecTokenFile',
  },
  { path: ['console', 'token'], instead: 'HYPERAGENTS_CONSOLE_TOKEN or console.tokenFile' },
  {
    path: ['s3', 'secretAccessKey'],
    instead: 'HYPERAGENTS_S3_SECRET_ACCESS_KEY, or no keys and the AWS default credential chain',
  },
];

function getPath(source: Record<string, unknown>, keys: string[]): unknown {
  let node: unknown = source;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function refuseSecrets(raw: Record<string, unknown>, file: string): void {
  for (const s of SECRETS) {
    if (getPath(raw, s.path) !== undefined)
      throw new ConfigError(
        `config file ${file}: ${s.path.join('.')}: a secret is not read from the config file; use ${s.instead}`,
      );
  }
}

/** Files a config names (TLS, key files) resolve from the config file's folder, else the working folder. */
function resolveFiles(config: Config, base: string): Config['temporal'] {
  const t = config.temporal;
  const at = (p: string | undefined) => (p === undefined ? undefined : path.resolve(base, p));
  const tls =
    typeof t.tls === 'object'
      ? {
          ...t.tls,
          caFile: at(t.tls.caFile),
          certFile: at(t.tls.certFile),
          keyFile: at(t.tls.keyFile),
        }
      : t.tls;
  const encryption = t.encryption && {
    ...t.encryption,
    keysFile: at(t.encryption.keysFile),
    codecTokenFile: at(t.encryption.codecTokenFile),
  };
  return { ...t, tls, apiKeyFile: at(t.apiKeyFile), encryption };
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
  if (source) refuseSecrets(raw, source);
  applyEnv(raw, env);
  applyAwsRegion(raw, env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, source ?? 'configuration'));
  const config = parsed.data;
  const abs = (p: string) => path.resolve(projectRoot, p);
  return {
    ...config,
    stateDir: abs(config.stateDir),
    toolsDir: abs(config.toolsDir),
    dataDir: config.dataDir ? path.resolve(cwd, config.dataDir) : undefined,
    temporal: resolveFiles(config, source ? path.dirname(source) : cwd),
    console: {
      ...config.console,
      ...(config.console.tokenFile
        ? { tokenFile: path.resolve(source ? path.dirname(source) : cwd, config.console.tokenFile) }
        : {}),
    },
    source,
  };
}

/** The embedded Temporal server's own address (where `dev up` runs it). */
export function embeddedTemporalAddress(c: Config): string {
  return `${c.host}:${c.temporal.port}`;
}

/** Whether `dev up` runs the Temporal server: no external frontend is configured. */
export function temporalEmbedded(c: Config): boolean {
  return c.temporal.address === undefined;
}

export function temporalAddress(c: Config): string {
  return c.temporal.address ?? embeddedTemporalAddress(c);
}

/**
 * `c` with its queues renamed from another stem, `taskQueue`, as their defaults are named (each
 * kind's concurrency kept): a private set of queues for a bench's own workers.
 */
export function withTaskQueue<C extends Config>(c: C, taskQueue: string): C {
  const queues = Object.fromEntries(
    WORK_KINDS.map((k) => [k, { ...c.temporal.queues[k], name: defaultQueueName(taskQueue, k) }]),
  ) as Config['temporal']['queues'];
  return { ...c, temporal: { ...c.temporal, taskQueue, queues } };
}

/** The task queue name of each kind of work (`temporal.queues`): what a run is started with. */
export function taskQueues(c: Config): TaskQueues {
  const q = c.temporal.queues;
  return { orchestration: q.orchestration.name, meta: q.meta.name, evaluation: q.evaluation.name };
}

/** The embedded S3 server's own endpoint (where `dev up` runs it). */
export function embeddedS3Endpoint(c: Config): string {
  return `http://${c.host}:${c.s3.port}`;
}

/** The endpoint S3 clients use; undefined: AWS S3's own endpoint for the region. */
export function s3Endpoint(c: Config): string | undefined {
  return c.s3.endpoint ?? (c.s3.embedded ? embeddedS3Endpoint(c) : undefined);
}

/** Where S3 is, for people: the endpoint, or `AWS S3 (<region>)`. */
export function s3Where(c: Config): string {
  return s3Endpoint(c) ?? `AWS S3 (${c.s3.region})`;
}
