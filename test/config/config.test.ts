import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ConfigError,
  envBindings,
  loadConfig,
  s3Endpoint,
  s3Where,
  taskQueues,
  withTaskQueue,
} from '../../src/config';
import { s3ClientConfig } from '../../src/storage/s3Client';
import { uiLink } from '../../temporal/connection';
import { projectRoot } from '../../src/host/assets';

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-config-'));
  const file = path.join(dir, 'c.json');
  fs.writeFileSync(file, content);
  return file;
}

test('defaults need no file and resolve folders under the project root', () => {
  const c = loadConfig({ env: {}, cwd: os.tmpdir() });
  expect(c.temporal.port).toBe(7233);
  expect(c.temporal.uiPort).toBe(8233);
  expect(c.s3.bucket).toBe('hyperagents');
  expect(c.sandbox.backend).toBe('auto');
  expect(c.stateDir).toBe(path.join(projectRoot, '.hyperagents'));
  expect(fs.existsSync(path.join(projectRoot, 'package.json'))).toBe(true);
});

test('a config file overrides defaults and the environment overrides the file', () => {
  const file = tempFile(JSON.stringify({ temporal: { port: 9000 }, s3: { bucket: 'from-file' } }));
  const c = loadConfig({ file, env: { HYPERAGENTS_S3_BUCKET: 'from-env' } });
  expect(c.temporal.port).toBe(9000);
  expect(c.temporal.uiPort).toBe(8233);
  expect(c.s3.bucket).toBe('from-env');
  expect(c.source).toBe(file);
});

test('bad values give a clear message naming the key', () => {
  const bad =
    (raw: unknown, env: Record<string, string> = {}) =>
    () =>
      loadConfig({ file: tempFile(JSON.stringify(raw)), env });
  expect(bad({ temporal: { port: 70000 } })).toThrow(/temporal\.port: .*65535/);
  expect(bad({ s3: { bucket: 'Not_A_Bucket' } })).toThrow(/s3\.bucket: must be a valid S3 bucket name/);
  expect(bad({ sandbox: { backend: 'vm' } })).toThrow(/sandbox\.backend/);
  expect(bad({ host: '0.0.0.0' })).toThrow(/host: must be a loopback address/);
  expect(bad({ temporal: { prot: 1 } })).toThrow(/temporal.*prot/);
  expect(bad({}, { HYPERAGENTS_TEMPORAL_PORT: 'seven' })).toThrow(
    'HYPERAGENTS_TEMPORAL_PORT=seven: must be a number (temporal.port)',
  );
  expect(() => loadConfig({ file: tempFile('{ not json'), env: {} })).toThrow(/not a JSON object/);
  expect(() => loadConfig({ file: '/no/such/file.json', env: {} })).toThrow(ConfigError);
});

test('task queues by kind: names from temporal.taskQueue unless given, a concurrency each, names distinct', () => {
  const c = loadConfig({ env: { HYPERAGENTS_TASK_QUEUE: 'ha' }, cwd: os.tmpdir() });
  expect(taskQueues(c)).toEqual({ orchestration: 'ha', meta: 'ha-meta', evaluation: 'ha-eval' });
  expect(c.temporal.queues.orchestration.concurrency).toBe(100);
  expect(c.temporal.queues.evaluation.concurrency).toBe(16);
  const file = tempFile(
    JSON.stringify({ temporal: { queues: { evaluation: { name: 'gpu-eval', concurrency: 2 } } } }),
  );
  const given = loadConfig({ file, env: {} });
  expect(taskQueues(given)).toEqual({
    orchestration: 'hyperagents',
    meta: 'hyperagents-meta',
    evaluation: 'gpu-eval',
  });
  expect(given.temporal.queues.evaluation.concurrency).toBe(2);
  const bad = (queues: unknown) => () =>
    loadConfig({ file: tempFile(JSON.stringify({ temporal: { queues } })), env: {} });
  expect(bad({ meta: { name: 'hyperagents' } })).toThrow(/temporal\.queues: each kind of work needs its own/);
  expect(bad({ meta: { concurrency: 0 } })).toThrow(/temporal\.queues\.meta\.concurrency/);
  expect(bad({ gpu: {} })).toThrow(/temporal\.queues/);
});

test('withTaskQueue: every queue renamed from the new stem, given names too; concurrencies kept', () => {
  const file = tempFile(
    JSON.stringify({ temporal: { queues: { evaluation: { name: 'gpu-eval', concurrency: 2 } } } }),
  );
  const own = withTaskQueue(loadConfig({ file, env: {} }), 'bench-1');
  expect(own.temporal.taskQueue).toBe('bench-1');
  expect(taskQueues(own)).toEqual({
    orchestration: 'bench-1',
    meta: 'bench-1-meta',
    evaluation: 'bench-1-eval',
  });
  expect(own.temporal.queues.evaluation.concurrency).toBe(2);
  expect(own.temporal.queues.meta.concurrency).toBe(16);
});

test('every environment variable is documented in the README', () => {
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const missing = envBindings.map((b) => b.name).filter((name) => !readme.includes(`\`${name}\``));
  expect(missing).toEqual([]);
});

test('an LLM endpoint needs a USD budget cap and the price of its models, with a one-line message', () => {
  const load = (raw: unknown, env: Record<string, string> = {}) =>
    loadConfig({ file: tempFile(JSON.stringify(raw)), env });
  const endpoint = { HYPERAGENTS_LLM_BASE_URL: 'http://127.0.0.1:9/v1' };
  expect(() => load({}, endpoint)).toThrow(
    /: run\.budget\.usd: an LLM endpoint is configured \(llm\.baseUrl\), so a USD budget cap is required: set run\.budget\.usd/,
  );
  expect(() => load({ run: { budget: { usd: 0 } } }, endpoint)).toThrow(/run\.budget\.usd: /);
  const priced = { prices: { m: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } } };
  expect(() =>
    load({ run: { budget: { usd: 5 } }, llm: { metaModel: 'm', taskModel: 'n', ...priced } }, endpoint),
  ).toThrow(
    /llm\.prices: no price for n: the USD budget cap \(run\.budget\.usd\) needs the price of every model used$/,
  );
  for (const message of [() => load({}, endpoint)]) {
    expect(message).toThrow(ConfigError);
    let text = '';
    try {
      message();
    } catch (e) {
      text = (e as Error).message;
    }
    expect(text.split('\n')).toHaveLength(1);
  }
  const ok = load(
    { run: { budget: { usd: 5 } }, llm: { metaModel: 'm', taskModel: 'm', ...priced } },
    endpoint,
  );
  expect(ok.llm.maxCompletionTokens).toBe(4096);
  expect(ok.llm.requestTimeoutSec).toBe(600);
  expect(ok.llm.retry).toEqual({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 });
  // Without an endpoint nothing is required.
  expect(load({}).llm.baseUrl).toBeUndefined();
  expect(() => load({ llm: { maxCompletionTokens: 0 } })).toThrow(/llm\.maxCompletionTokens: /);
  expect(() => load({ llm: { retry: { maxAttempts: 0 } } })).toThrow(/llm\.retry\.maxAttempts: /);
  expect(() => load({ llm: { requestTimeoutSec: 0 } })).toThrow(/llm\.requestTimeoutSec: /);
});

test('Temporal: TLS files resolve from the config file, the API key comes from the environment or a file only', () => {
  const file = tempFile(
    JSON.stringify({
      temporal: {
        address: 'temporal.example:7233',
        namespace: 'prod',
        tls: { caFile: 'ca.pem', certFile: '/abs/client.pem', keyFile: 'client.key', serverName: 'x' },
        apiKeyFile: 'key.txt',
      },
    }),
  );
  const dir = path.dirname(file);
  const c = loadConfig({ file, env: {} });
  expect(c.temporal.tls).toEqual({
    caFile: path.join(dir, 'ca.pem'),
    certFile: '/abs/client.pem',
    keyFile: path.join(dir, 'client.key'),
    serverName: 'x',
  });
  expect(c.temporal.apiKeyFile).toBe(path.join(dir, 'key.txt'));
  expect(c.temporal.apiKey).toBeUndefined();
  // The key in the file is refused, and the message does not repeat it.
  const inFile = tempFile(JSON.stringify({ temporal: { apiKey: 'sk-in-the-file' } }));
  let message = '';
  try {
    loadConfig({ file: inFile, env: {} });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toBe(
    `config file ${inFile}: temporal.apiKey: a secret is not read from the config file; use HYPERAGENTS_TEMPORAL_API_KEY or temporal.apiKeyFile`,
  );
  expect(() =>
    loadConfig({ file: tempFile(JSON.stringify({ s3: { secretAccessKey: 'x' } })), env: {} }),
  ).toThrow(
    /s3\.secretAccessKey: a secret is not read from the config file; use HYPERAGENTS_S3_SECRET_ACCESS_KEY/,
  );
  const fromEnv = loadConfig({
    env: { HYPERAGENTS_TEMPORAL_API_KEY: 'sk-env', HYPERAGENTS_TEMPORAL_NAMESPACE: 'ns1' },
    cwd: os.tmpdir(),
  });
  expect(fromEnv.temporal.apiKey).toBe('sk-env');
  expect(fromEnv.temporal.namespace).toBe('ns1');
  expect(() =>
    loadConfig({
      file: tempFile(JSON.stringify({ temporal: { apiKeyFile: 'k' } })),
      env: { HYPERAGENTS_TEMPORAL_API_KEY: 'sk' },
    }),
  ).toThrow(/temporal\.apiKeyFile: set the API key one way/);
  expect(() =>
    loadConfig({ file: tempFile(JSON.stringify({ temporal: { tls: { certFile: 'c.pem' } } })), env: {} }),
  ).toThrow(/temporal\.tls: certFile and keyFile go together/);
  expect(
    loadConfig({ file: tempFile(JSON.stringify({ temporal: { tls: true } })), env: {} }).temporal.tls,
  ).toBe(true);
});

test('S3: embedded by default with its own keys; not embedded, AWS or an endpoint, with keys or the default chain', () => {
  const load = (raw: unknown, env: Record<string, string> = {}) =>
    loadConfig({ file: tempFile(JSON.stringify(raw)), env });
  const embedded = load({});
  expect(embedded.s3.embedded).toBe(true);
  expect(s3ClientConfig(embedded)).toMatchObject({
    endpoint: 'http://127.0.0.1:4568',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  // AWS S3: no endpoint (the SDK's regional one), virtual-hosted URLs, the default credential chain.
  const aws = load({ s3: { embedded: false, region: 'eu-west-1', bucket: 'my-runs' } });
  expect(s3Endpoint(aws)).toBeUndefined();
  expect(s3Where(aws)).toBe('AWS S3 (eu-west-1)');
  const awsClient = s3ClientConfig(aws);
  expect(awsClient).toMatchObject({ region: 'eu-west-1', forcePathStyle: false });
  expect('endpoint' in awsClient && awsClient.endpoint !== undefined).toBe(false);
  expect('credentials' in awsClient).toBe(false);
  // MinIO: an endpoint, path style, keys from the environment.
  const minio = load(
    { s3: { embedded: false, endpoint: 'http://127.0.0.1:9000' } },
    { HYPERAGENTS_S3_ACCESS_KEY_ID: 'id', HYPERAGENTS_S3_SECRET_ACCESS_KEY: 'secret' },
  );
  expect(s3ClientConfig(minio)).toMatchObject({
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
  });
  expect(load({ s3: { forcePathStyle: false } }).s3.forcePathStyle).toBe(false);
  expect(load({}, { HYPERAGENTS_S3_EMBEDDED: 'false' }).s3.embedded).toBe(false);
  expect(() => load({}, { HYPERAGENTS_S3_EMBEDDED: 'no' })).toThrow(
    'HYPERAGENTS_S3_EMBEDDED=no: must be true or false (s3.embedded)',
  );
  expect(() => load({}, { HYPERAGENTS_S3_ACCESS_KEY_ID: 'id' })).toThrow(
    /s3\.secretAccessKey: accessKeyId and secretAccessKey go together/,
  );
  expect(() => load({ s3: { serverSideEncryption: 'AES256', kmsKeyId: 'k' } })).toThrow(
    /s3\.kmsKeyId: kmsKeyId needs serverSideEncryption "aws:kms"/,
  );
  expect(() => load({ s3: { serverSideEncryption: 'rot13' } })).toThrow(/s3\.serverSideEncryption/);
});

test('S3 region: not embedded and unset, from AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1; an explicit one wins', () => {
  const region = (raw: unknown, env: Record<string, string> = {}) =>
    loadConfig({ file: tempFile(JSON.stringify(raw)), env }).s3.region;
  const aws = { s3: { embedded: false } };
  expect(region(aws)).toBe('us-east-1');
  expect(region(aws, { AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-central-1');
  expect(region(aws, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-west-1');
  expect(region(aws, { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-central-1');
  // MinIO or a VPC endpoint too, as the AWS SDK does; and `s3.embedded` from the environment.
  expect(
    region({ s3: { embedded: false, endpoint: 'http://127.0.0.1:9000' } }, { AWS_REGION: 'ap-south-1' }),
  ).toBe('ap-south-1');
  expect(region({}, { HYPERAGENTS_S3_EMBEDDED: 'false', AWS_REGION: 'ap-south-1' })).toBe('ap-south-1');
  // An explicit region wins: the config file's, or HYPERAGENTS_S3_REGION.
  expect(region({ s3: { embedded: false, region: 'us-west-2' } }, { AWS_REGION: 'eu-west-1' })).toBe(
    'us-west-2',
  );
  expect(region(aws, { HYPERAGENTS_S3_REGION: 'us-west-2', AWS_REGION: 'eu-west-1' })).toBe('us-west-2');
  // The embedded server ignores AWS's region.
  expect(region({}, { AWS_REGION: 'eu-west-1' })).toBe('us-east-1');
  const fromEnv = loadConfig({ file: tempFile(JSON.stringify(aws)), env: { AWS_REGION: 'eu-west-1' } });
  expect(s3Where(fromEnv)).toBe('AWS S3 (eu-west-1)');
  expect(s3ClientConfig(fromEnv)).toMatchObject({ region: 'eu-west-1' });
});

test('Temporal UI links: the embedded UI, temporal.uiUrl, or none for an external frontend without one', () => {
  const load = (raw: unknown) => loadConfig({ file: tempFile(JSON.stringify(raw)), env: {} });
  expect(uiLink(load({}), 'run-1')).toBe('http://127.0.0.1:8233/namespaces/default/workflows/run-1');
  expect(uiLink(load({ temporal: { address: 'temporal.example:7233' } }), 'run-1')).toBeUndefined();
  expect(
    uiLink(
      load({ temporal: { address: 'x:7233', namespace: 'prod', uiUrl: 'https://ui.example/' } }),
      'run 1',
    ),
  ).toBe('https://ui.example/namespaces/prod/workflows/run%201');
});
