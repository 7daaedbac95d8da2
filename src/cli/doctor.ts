import { randomUUID } from 'crypto';
import * as fs from 'fs';
import type { Command } from 'commander';
import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { s3Where, temporalEmbedded, type LoadedConfig } from '../config';
import { dockerClient, stateLayout } from '../devstack';
import { sandboxFor } from '../devstack/sandboxFor';
import { BUILTIN_DOMAIN_NAMES } from '../domains';
import { numericSeed, parseRunConfig, sizesFor } from '../engine';
import { ensureRootfs, IMAGE_REPO, SANDBOX_NODE } from '../sandbox';
import { makeS3Client, S3ObjectStore } from '../storage';
import { domainCatalogFromConfig } from '../wiring/engineDeps';
import { searchAttributeTypes } from '../../workflows/searchAttributes';
import { connectionFailure, temporalConnectionOptions, usesTls } from '../../temporal/connection';
import { codecKeys } from '../../temporal/codec';
import { safeText } from './format';

/** One line of `hyperagents doctor`: what was checked and what was found (or what to do). */
export interface Check {
  name: string;
  /** skip: not checked, as a check it depends on failed (that one is the line to read). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

const TIMEOUT_MS = 15_000;

function withTimeout<T>(what: string, p: Promise<T>, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();

/** The gRPC status code of a failed call, if it carries one. */
const grpcCode = (e: unknown): number | undefined => (e as { code?: unknown }).code as number | undefined;
const GRPC = { NOT_FOUND: 5, PERMISSION_DENIED: 7, UNAUTHENTICATED: 16 } as const;

/** The Temporal CLI's type names (searchAttributeTypes) as the API's IndexedValueType. */
const INDEXED: Record<string, proto.api.enums.v1.IndexedValueType> = {
  Text: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Temporal: reachable, authenticated, the namespace exists, the search attributes are registered. */
export async function checkTemporal(c: LoadedConfig): Promise<Check[]> {
  const ns = c.temporal.namespace;
  let options;
  try {
    options = temporalConnectionOptions(c);
  } catch (e) {
    return [{ name: 'temporal', status: 'fail', detail: firstLine(e) }];
  }
  const how = [usesTls(options) ? 'TLS' : 'plain', options.apiKey ? 'API key' : undefined]
    .filter(Boolean)
    .join(', ');
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...options, connectTimeout: 3000 });
  } catch {
    return [
      { name: 'temporal', status: 'fail', detail: (await connectionFailure(c, options)).message },
      { name: 'temporal namespace', status: 'skip', detail: 'not checked: no connection' },
      { name: 'temporal search attributes', status: 'skip', detail: 'not checked: no connection' },
    ];
  }
  const out: Check[] = [];
  try {
    try {
      await withTimeout('Temporal', connection.workflowService.describeNamespace({ namespace: ns }));
      out.push({ name: 'temporal', status: 'ok', detail: `${options.address} (${how})` });
      out.push({ name: 'temporal namespace', status: 'ok', detail: `${ns} exists` });
    } catch (e) {
      const code = grpcCode(e);
      if (code === GRPC.NOT_FOUND) {
        out.push({ name: 'temporal', status: 'ok', detail: `${options.address} (${how})` });
        out.push({
          name: 'temporal namespace',
          status: 'fail',
          detail: temporalEmbedded(c)
            ? `namespace ${ns} does not exist: \`hyperagents dev down\` then \`dev up\` registers it (temporal.namespace)`
            : `namespace ${ns} does not exist at ${options.address}: create it (\`temporal operator namespace create --namespace ${ns}\`) or fix temporal.namespace`,
        });
        out.push({ name: 'temporal search attributes', status: 'skip', detail: 'not checked: no namespace' });
        return out;
      }
      const denied = code === GRPC.UNAUTHENTICATED || code === GRPC.PERMISSION_DENIED;
      out.push({
        name: 'temporal',
        status: 'fail',
        detail: denied
          ? `${options.address} refused us for namespace ${ns} (${code === GRPC.UNAUTHENTICATED ? 'unauthenticated' : 'permission denied'}): check the API key (HYPERAGENTS_TEMPORAL_API_KEY or temporal.apiKeyFile) or the client certificate (temporal.tls)`
          : `${options.address}: ${firstLine(e)}`,
      });
      out.push({ name: 'temporal namespace', status: 'skip', detail: 'not checked' });
      out.push({ name: 'temporal search attributes', status: 'skip', detail: 'not checked' });
      return out;
    }
    out.push(await checkSearchAttributes(c, connection));
    return out;
  } finally {
    await connection.close();
  }
}

async function checkSearchAttributes(c: LoadedConfig, connection: Connection): Promise<Check> {
  const ns = c.temporal.namespace;
  const name = 'temporal search attributes';
  let registered: Record<string, proto.api.enums.v1.IndexedValueType>;
  try {
    const res = await withTimeout(
      'Temporal',
      connection.operatorService.listSearchAttributes({ namespace: ns }),
    );
    registered = res.customAttributes ?? {};
  } catch (e) {
    return { name, status: 'fail', detail: `cannot list them in ${ns}: ${firstLine(e)}` };
  }
  const wrong: string[] = [];
  const fixes: string[] = [];
  for (const [attr, type] of Object.entries(searchAttributeTypes)) {
    if (registered[attr] === INDEXED[type]) continue;
    wrong.push(registered[attr] === undefined ? attr : `${attr} (registered with another type)`);
    fixes.push(`temporal operator search-attribute create --namespace ${ns} --name ${attr} --type ${type}`);
  }
  if (wrong.length === 0)
    return { name, status: 'ok', detail: `${Object.keys(searchAttributeTypes).length} registered in ${ns}` };
  return {
    name,
    status: 'fail',
    detail: `missing in ${ns}: ${wrong.join(', ')}; register them: ${fixes.join('; ')}`,
  };
}

/** What an S3 failure means, with what to do; the message never holds a key. */
function s3Problem(c: LoadedConfig, op: string, e: unknown): string {
  const err = e as { name?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const where = s3Where(c);
  const code = err.code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET'].includes(code))
    return `cannot reach S3 at ${where} (${code}): ${c.s3.embedded ? 'is the stack up? (`hyperagents dev up`)' : 'check s3.endpoint and the region (s3.region, else AWS_REGION or AWS_DEFAULT_REGION)'}`;
  const name = err.name ?? err.Code ?? '';
  if (name === 'CredentialsProviderError')
    return 'no S3 credentials found: set HYPERAGENTS_S3_ACCESS_KEY_ID and HYPERAGENTS_S3_SECRET_ACCESS_KEY, or credentials the AWS default chain finds (AWS_* variables, a profile, an IRSA or instance role)';
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken'].includes(name))
    return `S3 at ${where} refused the credentials (${name}): check HYPERAGENTS_S3_ACCESS_KEY_ID / HYPERAGENTS_S3_SECRET_ACCESS_KEY, or the AWS chain's`;
  if (name === 'NoSuchBucket')
    return `bucket ${c.s3.bucket} does not exist at ${where}: ${c.s3.embedded ? '`hyperagents dev up` creates it' : 'create it, or fix s3.bucket'}`;
  if (name === 'AccessDenied' || err.$metadata?.httpStatusCode === 403)
    return `no permission to ${op} in bucket ${c.s3.bucket} (${name || '403'}): grant s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on it`;
  return `${op} in bucket ${c.s3.bucket} at ${where} failed: ${name ? `${name}: ` : ''}${firstLine(e)}`;
}

/** S3: a probe object written, read back, listed and deleted. */
export async function checkS3(c: LoadedConfig): Promise<Check> {
  const name = 's3';
  const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
  const key = `doctor/probe-${randomUUID()}`;
  const body = `hyperagents doctor ${new Date().toISOString()}`;
  let op = 'write';
  try {
    await withTimeout('S3', store.put(key, body, 'text/plain'));
    op = 'read';
    const back = await withTimeout('S3', store.get(key));
    if (back?.toString('utf8') !== body)
      return { name, status: 'fail', detail: `the probe object ${key} read back different bytes` };
    op = 'list';
    await withTimeout('S3', store.list('doctor/'));
    op = 'delete';
    await withTimeout('S3', store.delete(key));
  } catch (e) {
    return { name, status: 'fail', detail: s3Problem(c, op, e) };
  }
  const sse = c.s3.serverSideEncryption ? `, encryption ${c.s3.serverSideEncryption}` : '';
  return {
    name,
    status: 'ok',
    detail: `${s3Where(c)} bucket ${c.s3.bucket}: write, read, list, delete${sse}`,
  };
}

/** The sandbox: the backend `dev up` chose (or the config forces) runs a program. */
export async function checkSandbox(c: LoadedConfig): Promise<Check> {
  const name = 'sandbox';
  const l = stateLayout(c);
  let backend = c.sandbox.backend;
  if (backend === 'auto') {
    if (!fs.existsSync(l.backendFile))
      return { name, status: 'fail', detail: 'no backend selected yet: run `hyperagents dev up`' };
    backend = (JSON.parse(fs.readFileSync(l.backendFile, 'utf8')) as { backend: 'docker' | 'bubblewrap' })
      .backend;
  }
  if (backend === 'docker') {
    const docker = dockerClient(c);
    try {
      await withTimeout('dockerd', docker.ping(), 5000);
    } catch {
      return {
        name,
        status: 'fail',
        detail: `dockerd does not answer at unix://${l.dockerSocket}: run \`hyperagents dev up\` (or set sandbox.backend to bubblewrap)`,
      };
    }
    const tag = `${IMAGE_REPO}:${ensureRootfs(l.sandboxRoot).hash}`;
    const images = await docker.listImages({ filters: { reference: [tag] } });
    if (images.length === 0)
      return {
        name,
        status: 'fail',
        detail: `the sandbox image ${tag} is missing: run \`hyperagents dev up\``,
      };
  }
  try {
    const sandbox = await sandboxFor(c);
    const result = await withTimeout(
      'the sandbox',
      sandbox.run({
        files: {},
        command: [SANDBOX_NODE, '-e', 'process.stdout.write("ok")'],
        limits: { memoryMb: 128, cpus: 1, pids: 32, timeoutSec: 30, scratchMb: 8 },
        labels: { purpose: 'doctor' },
      }),
      60_000,
    );
    if (result.outcome !== 'ok' || result.stdout !== 'ok')
      return {
        name,
        status: 'fail',
        detail: `${backend}: a test program ended ${result.outcome}: ${firstLine(result.stderr)}`,
      };
  } catch (e) {
    return { name, status: 'fail', detail: `${backend}: ${firstLine(e)}` };
  }
  return { name, status: 'ok', detail: `${backend} runs programs` };
}

/** Data: each domain the run names (else each built-in) loads its tasks. */
export async function checkData(c: LoadedConfig): Promise<Check[]> {
  if (c.dataDir && !fs.existsSync(c.dataDir))
    return [
      {
        name: 'data',
        status: 'fail',
        detail: `dataDir ${c.dataDir} does not exist: fix HYPERAGENTS_DATA_DIR or dataDir (a folder with one sub-folder per domain: README "Domain data")`,
      },
    ];
  let run;
  try {
    run = parseRunConfig(c.run ?? {});
  } catch (e) {
    return [{ name: 'data', status: 'fail', detail: `the config's run section: ${firstLine(e)}` }];
  }
  const explicit = Array.isArray(c.run?.domains);
  const catalog = await domainCatalogFromConfig(c);
  const names = explicit ? run.domains : [...BUILTIN_DOMAIN_NAMES];
  const out: Check[] = [];
  for (const domain of names) {
    try {
      const tasks = await catalog.tasks(catalog.domain(domain), numericSeed(run.seed), sizesFor(run, domain));
      const counts = Object.entries(tasks.splits)
        .map(([split, list]) => `${split} ${list.length}`)
        .join(', ');
      out.push({ name: `data ${domain}`, status: 'ok', detail: counts || 'loads' });
    } catch (e) {
      // A built-in the run does not name only narrows what a run uses by default.
      out.push({ name: `data ${domain}`, status: explicit ? 'fail' : 'warn', detail: firstLine(e) });
    }
  }
  if (!explicit && out.every((x) => x.status !== 'ok'))
    out.push({
      name: 'data',
      status: 'fail',
      detail: 'no domain has its data available: set HYPERAGENTS_DATA_DIR (see README)',
    });
  return out;
}

/** Encrypted histories, when configured: the keys load and say which one encrypts. No line when off. */
export function checkEncryption(c: LoadedConfig): Check[] {
  if (!c.temporal.encryption) return [];
  const name = 'temporal encryption';
  try {
    const k = codecKeys(c)!;
    const ids = [...k.keys.keys()];
    return [
      {
        name,
        status: 'ok',
        detail: `AES-256-GCM, current key ${k.currentKeyId} (${ids.length} key(s): ${ids.join(', ')})`,
      },
    ];
  } catch (e) {
    return [{ name, status: 'fail', detail: firstLine(e) }];
  }
}

export async function runDoctor(c: LoadedConfig): Promise<Check[]> {
  return [
    { name: 'config', status: 'ok', detail: c.source ?? 'defaults and environment (no config file)' },
    ...(await checkTemporal(c)),
    ...checkEncryption(c),
    await checkS3(c),
    await checkSandbox(c),
    ...(await checkData(c)),
  ];
}

export function formatCheck(x: Check): string {
  const label = { ok: 'ok  ', warn: 'warn', skip: 'skip', fail: 'FAIL' }[x.status];
  return `${label} ${x.name}: ${safeText(x.detail)}`;
}

export function registerDoctorCommand(program: Command, config: () => LoadedConfig): void {
  program
    .command('doctor')
    .description('check each configured service (Temporal, S3, sandbox, data) and say what is wrong')
    .action(async () => {
      const checks = await runDoctor(config());
      for (const x of checks) console.log(formatCheck(x));
      const failed = checks.filter((x) => x.status === 'fail').length;
      if (failed > 0) {
        console.log(`${failed} check(s) failed`);
        process.exitCode = 1;
      }
    });
}
