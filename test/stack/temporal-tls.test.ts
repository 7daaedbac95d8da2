/**
 * Temporal over TLS (issue 12). The dev server speaks plain gRPC, so a TLS-terminating proxy of our
 * own (test/helpers/tlsProxy.ts: a throwaway CA from the openssl CLI, ALPN h2, client certificate
 * required) stands in front of the suite's server, as a load balancer would in front of a cluster.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, type LoadedConfig } from '../../src/config';
import { checkTemporal } from '../../src/cli/doctor';
import { connectClient } from '../../temporal/connection';
import { createWorker } from '../../temporal/worker';
import { smokeWorkflow } from '../../workflows';
import { stackConfig } from '../helpers/stack';
import { H2CaptureProxy, makePki, TlsProxy, type TestPki } from '../helpers/tlsProxy';

const suite = stackConfig();
let pki: TestPki;
let proxy: TlsProxy;

beforeAll(async () => {
  pki = makePki();
  proxy = await TlsProxy.start(pki, suite.temporal.port);
});

afterAll(async () => {
  await proxy.close();
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

/** The suite stack's config with a `temporal` section from a config file (its paths relative to it). */
function withTemporal(temporal: Record<string, unknown>, env: Record<string, string> = {}): LoadedConfig {
  const file = path.join(pki.dir, `config-${randomUUID()}.json`);
  fs.writeFileSync(file, JSON.stringify({ temporal }));
  return loadConfig({ file, env: { ...process.env, HYPERAGENTS_CONFIG: '', ...env } });
}

const mtls = (caFile: string) => ({
  caFile: path.basename(caFile),
  certFile: 'client.crt',
  keyFile: 'client.key',
  serverName: 'temporal.test',
});

/** The message of what `fn` throws. */
async function failure(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not fail');
}

test('client and worker connect through TLS with the right CA and a client certificate, and run a workflow', async () => {
  const c = withTemporal({ address: proxy.address, tls: mtls(pki.caFile) });
  expect(c.temporal.tls).toMatchObject({ caFile: pki.caFile, certFile: pki.clientCert });
  const client = await connectClient(c);
  const taskQueue = `tls-${randomUUID()}`;
  const runId = `tls-${randomUUID()}`;
  const { worker, close } = await createWorker(c, taskQueue);
  try {
    const result = await worker.runUntil(
      client.workflow.execute(smokeWorkflow, { workflowId: runId, taskQueue, args: [runId] }),
    );
    expect(result.workflowId).toBe(runId);
    const seen: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${runId}'` }))
      seen.push(wf.workflowId);
    expect(seen).toEqual([runId]);
  } finally {
    await close();
    await client.connection.close();
  }
  expect(proxy.refused).toEqual([]);
});

test('a wrong CA fails with one line saying the certificate is not trusted, for client and worker', async () => {
  const c = withTemporal({ address: proxy.address, tls: mtls(pki.otherCaFile) });
  for (const connect of [() => connectClient(c), () => createWorker(c, `tls-${randomUUID()}`)]) {
    const message = await failure(connect);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(
      new RegExp(
        `^cannot connect to Temporal at ${proxy.address}: TLS: .*(self-signed|self signed).*: check temporal\\.tls`,
      ),
    );
  }
});

test('TLS to a frontend that does not serve it says so in one line', async () => {
  const c = withTemporal({ address: `127.0.0.1:${suite.temporal.port}`, tls: true });
  const message = await failure(() => connectClient(c));
  expect(message).toMatch(
    /^cannot connect to Temporal at 127\.0\.0\.1:\d+: TLS handshake failed .*is the frontend serving TLS\? \(temporal\.tls\)$/,
  );
});

test('an unreadable CA file is a config error naming the key and the file', async () => {
  const c = withTemporal({ address: proxy.address, tls: { caFile: 'missing.crt' } });
  expect(await failure(() => connectClient(c))).toBe(
    `temporal.tls.caFile ${path.join(pki.dir, 'missing.crt')}: cannot be read (ENOENT)`,
  );
});

test('the API key reaches the frontend as a bearer token, from the client and the worker, from the environment or a file', async () => {
  const capture = await H2CaptureProxy.start(suite.temporal.port);
  try {
    // From the environment; TLS off explicitly, as the capture proxy is plain HTTP/2.
    const fromEnv = withTemporal(
      { address: capture.address, tls: false },
      { HYPERAGENTS_TEMPORAL_API_KEY: 'sk-from-env' },
    );
    const client = await connectClient(fromEnv);
    await client.workflowService.getSystemInfo({});
    await client.connection.close();
    expect(new Set(capture.authorizations)).toEqual(new Set(['Bearer sk-from-env']));

    // From a file (a mounted secret, with its trailing newline), for the worker's NativeConnection.
    capture.authorizations.length = 0;
    fs.writeFileSync(path.join(pki.dir, 'api-key'), 'sk-from-file\n');
    const fromFile = withTemporal({ address: capture.address, tls: false, apiKeyFile: 'api-key' });
    const { worker, close } = await createWorker(fromFile, `key-${randomUUID()}`);
    await worker.runUntil(new Promise((r) => setTimeout(r, 1000)));
    await close();
    expect(capture.authorizations.length).toBeGreaterThan(0);
    expect(new Set(capture.authorizations)).toEqual(new Set(['Bearer sk-from-file']));
  } finally {
    await capture.close();
  }
  fs.writeFileSync(path.join(pki.dir, 'empty-key'), '\n');
  const empty = withTemporal({ address: proxy.address, apiKeyFile: 'empty-key' });
  expect(await failure(() => connectClient(empty))).toBe(
    `temporal.apiKeyFile ${path.join(pki.dir, 'empty-key')}: empty`,
  );
});

test('doctor through TLS: ok with the right CA, the TLS cause with a wrong one', async () => {
  const good = await checkTemporal(withTemporal({ address: proxy.address, tls: mtls(pki.caFile) }));
  expect(good.map((x) => [x.name, x.status])).toEqual([
    ['temporal', 'ok'],
    ['temporal namespace', 'ok'],
    ['temporal search attributes', 'ok'],
  ]);
  expect(good[0]!.detail).toBe(`${proxy.address} (TLS)`);
  const bad = await checkTemporal(withTemporal({ address: proxy.address, tls: mtls(pki.otherCaFile) }));
  expect(bad.map((x) => x.status)).toEqual(['fail', 'skip', 'skip']);
  expect(bad[0]!.detail).toMatch(/TLS: .*self-signed.*: check temporal\.tls/);
});
