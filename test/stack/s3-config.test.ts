/**
 * S3 configuration against the suite's embedded server (issue 12): a config that is not the
 * embedded one and gives no keys uses the AWS default credential chain (here its environment
 * step), and server-side encryption is asked for on every write, seen on the wire through a
 * loopback capture proxy. Nothing here leaves loopback: the chain finds its keys in the
 * environment before any step that would ask the network.
 */
import { httpRelay } from '../helpers/httpRelay';
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import type * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { loadConfig, type LoadedConfig } from '../../src/config';
import { makeS3Client, S3ObjectStore } from '../../src/storage';
import { stackConfig } from '../helpers/stack';

const suite = stackConfig();
const prefix = `test/s3-config-${randomUUID()}/`;
/** AWS_* variables are restored after each test; the chain reads them from process.env. */
const saved = { ...process.env };

afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') && !(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

function configWith(s3: Record<string, unknown>): LoadedConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-s3-config-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ s3 }));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('HYPERAGENTS_S3_')),
  );
  return loadConfig({ file, env: { ...env, HYPERAGENTS_CONFIG: '' } });
}

/** The AWS chain's environment step only: no profile files, no instance metadata. */
function chainEnv(id: string, secret: string): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: id,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
}

test('no keys and not embedded: the default credential chain, here AWS_* variables, reads and writes', async () => {
  const c = configWith({
    embedded: false,
    endpoint: `http://127.0.0.1:${suite.s3.port}`,
    bucket: suite.s3.bucket,
  });
  expect(c.s3.accessKeyId).toBeUndefined();
  chainEnv('S3RVER', 'S3RVER');
  const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
  await store.put(`${prefix}chain.json`, '{"via":"chain"}');
  expect((await store.get(`${prefix}chain.json`))?.toString()).toBe('{"via":"chain"}');
  expect(await store.list(prefix)).toEqual([`${prefix}chain.json`]);
  await store.delete(`${prefix}chain.json`);
  // The keys are the chain's: others from the same variables are refused by the server.
  chainEnv('NOT-S3RVER', 'wrong');
  const refused = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
  await expect(refused.put(`${prefix}refused.json`, '{}')).rejects.toThrow(
    /access key|AccessDenied|InvalidAccessKeyId/i,
  );
});

/** An HTTP proxy to the embedded server that keeps each request's method, path and headers. */
async function captureProxy(targetPort: number) {
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
  const relay = await httpRelay(targetPort, (req) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    return false;
  });
  return { seen, port: relay.port, close: relay.close };
}

test('server-side encryption is asked for on every write: small puts and multipart uploads', async () => {
  const proxy = await captureProxy(suite.s3.port);
  try {
    const c = configWith({
      endpoint: `http://127.0.0.1:${proxy.port}`,
      bucket: suite.s3.bucket,
      serverSideEncryption: 'aws:kms',
      kmsKeyId: 'alias/hyperagents-test',
    });
    const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
    await store.put(`${prefix}small.json`, '{"a":1}');
    // Past the verified head: a multipart upload (create, parts, complete).
    await store.putStream(`${prefix}big.bin`, Readable.from([randomBytes(6 * 1024 * 1024)]));
    expect((await store.get(`${prefix}small.json`))?.toString()).toBe('{"a":1}');
    await store.delete(`${prefix}small.json`);
    await store.delete(`${prefix}big.bin`);

    const put = proxy.seen.find((r) => r.method === 'PUT' && r.url.includes('small.json'));
    const create = proxy.seen.find(
      (r) => r.method === 'POST' && r.url.includes('big.bin') && r.url.includes('uploads'),
    );
    for (const r of [put, create]) {
      expect(r?.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(r?.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/hyperagents-test');
    }
    // Reads and deletes carry no encryption header (S3 refuses it on a GET).
    for (const r of proxy.seen.filter((x) => x.method === 'GET' || x.method === 'DELETE'))
      expect(r.headers['x-amz-server-side-encryption']).toBeUndefined();

    // AES256 (SSE-S3): the header alone.
    const aes = configWith({
      endpoint: `http://127.0.0.1:${proxy.port}`,
      bucket: suite.s3.bucket,
      serverSideEncryption: 'AES256',
    });
    await new S3ObjectStore(makeS3Client(aes), aes.s3.bucket).put(`${prefix}aes.json`, '{}');
    const aesPut = proxy.seen.find((r) => r.method === 'PUT' && r.url.includes('aes.json'));
    expect(aesPut?.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(aesPut?.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBeUndefined();
    await new S3ObjectStore(makeS3Client(aes), aes.s3.bucket).delete(`${prefix}aes.json`);
  } finally {
    await proxy.close();
  }
});

test('not embedded and no s3.region: requests are signed for AWS_REGION, as the AWS SDK and CLI would', async () => {
  const proxy = await captureProxy(suite.s3.port);
  try {
    chainEnv('S3RVER', 'S3RVER');
    process.env.AWS_REGION = 'eu-west-1';
    const c = configWith({
      embedded: false,
      endpoint: `http://127.0.0.1:${proxy.port}`,
      bucket: suite.s3.bucket,
    });
    expect(c.s3.region).toBe('eu-west-1');
    const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
    await store.put(`${prefix}region.json`, '{}');
    await store.delete(`${prefix}region.json`);
    const put = proxy.seen.find((r) => r.method === 'PUT' && r.url.includes('region.json'));
    expect(put?.headers.authorization).toMatch(/Credential=S3RVER\/\d{8}\/eu-west-1\/s3\/aws4_request/);
  } finally {
    await proxy.close();
  }
});
