/**
 * `hyperagents doctor` (issue 12): on the suite's healthy stack every check is ok; each fault it
 * checks is reported by its own line, with what to do, and a non-zero exit. Runs the built CLI.
 */
import { httpRelay } from '../helpers/httpRelay';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { msToTs } from '@temporalio/common/lib/time';
import { connectClient } from '../../temporal/connection';
import { stateLayout } from '../../src/devstack';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/host/assets';
import { stackConfig } from '../helpers/stack';

const suite = stackConfig();
/** The chain must find nothing and ask no network: no profile files, no instance metadata. */
const NO_AWS = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
};

/** The built CLI's `doctor`, spawned without blocking (the test's own S3 front must answer meanwhile). */
async function doctor(env: Record<string, string> = {}) {
  const res = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(projectRoot, 'bin/hyperagents.js'), 'doctor'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...NO_AWS, HYPERAGENTS_CONFIG: '', ...env },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? ((error.code as number | undefined) ?? null) : 0, stdout, stderr }),
    );
  });
  const lines = res.stdout.trim().split('\n');
  return {
    code: res.status,
    lines,
    stderr: res.stderr,
    failed: lines.filter((l) => l.startsWith('FAIL ')),
    names: lines.filter((l) => /^(ok|warn|skip|FAIL) /.test(l)).map((l) => l.slice(5).split(':')[0]),
  };
}

const ALL_CHECKS = [
  'config',
  'temporal',
  'temporal namespace',
  'temporal search attributes',
  's3',
  'sandbox',
  'data paper-review',
  'data math-grading',
  'data coding',
  'data reward-design',
];

test('on the healthy stack every check is ok and the exit code is 0', async () => {
  const r = await doctor();
  expect(r.stderr).toBe('');
  expect(r.failed).toEqual([]);
  expect(r.names).toEqual(ALL_CHECKS);
  expect(r.lines.every((l) => l.startsWith('ok   '))).toBe(true);
  expect(r.lines).toContain(`ok   temporal: 127.0.0.1:${suite.temporal.port} (plain)`);
  expect(r.lines).toContain('ok   temporal search attributes: 6 registered in default');
  expect(r.code).toBe(0);
});

test('Temporal faults: wrong port, missing namespace, missing search attributes', async () => {
  const wrongPort = await doctor({ HYPERAGENTS_TEMPORAL_PORT: '1' });
  expect(wrongPort.code).toBe(1);
  expect(wrongPort.failed).toEqual([
    'FAIL temporal: cannot reach Temporal at 127.0.0.1:1: is the stack up? (`hyperagents dev up`)',
  ]);
  expect(wrongPort.lines).toContain('skip temporal namespace: not checked: no connection');
  const remote = await doctor({ HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(remote.failed).toEqual([
    'FAIL temporal: cannot reach Temporal at 127.0.0.1:1 (temporal.address): check the address and that the frontend is up',
  ]);

  const noNamespace = await doctor({ HYPERAGENTS_TEMPORAL_NAMESPACE: 'hyperagents-no-such-namespace' });
  expect(noNamespace.code).toBe(1);
  expect(noNamespace.failed).toEqual([
    'FAIL temporal namespace: namespace hyperagents-no-such-namespace does not exist: `hyperagents dev down` then `dev up` registers it (temporal.namespace)',
  ]);

  // A namespace of its own without the custom search attributes (registered once on the suite's server).
  const namespace = 'hyperagents-doctor-bare';
  const client = await connectClient(suite);
  try {
    await client.workflowService
      .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
      .catch((e: { code?: number }) => {
        if (e.code !== 6) throw e; // ALREADY_EXISTS
      });
  } finally {
    await client.connection.close();
  }
  let bare = await doctor({ HYPERAGENTS_TEMPORAL_NAMESPACE: namespace });
  // A namespace just registered can take a moment to be served.
  for (let i = 0; i < 10 && bare.failed.some((l) => l.startsWith('FAIL temporal namespace')); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    bare = await doctor({ HYPERAGENTS_TEMPORAL_NAMESPACE: namespace });
  }
  expect(bare.code).toBe(1);
  expect(bare.failed).toHaveLength(1);
  expect(bare.failed[0]).toMatch(
    new RegExp(
      `^FAIL temporal search attributes: missing in ${namespace}: HyperagentsRunId, HyperagentsGeneration, HyperagentsBestScore, HyperagentsScore, HyperagentsStatus, HyperagentsDomains; register them: temporal operator search-attribute create --namespace ${namespace} --name HyperagentsRunId --type Keyword; `,
    ),
  );
});

/** An S3 front that refuses every write with 403 AccessDenied and passes everything else on. */
function denyWrites(targetPort: number) {
  return httpRelay(targetPort, (req, res) => {
    if (req.method !== 'PUT' && req.method !== 'POST') return false;
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    );
    return true;
  });
}

test('S3 faults: unreachable, wrong credentials, no credentials at all, missing bucket, no write permission', async () => {
  const s3 = `http://127.0.0.1:${suite.s3.port}`;
  expect((await doctor({ HYPERAGENTS_S3_PORT: '1' })).failed).toEqual([
    'FAIL s3: cannot reach S3 at http://127.0.0.1:1 (ECONNREFUSED): is the stack up? (`hyperagents dev up`)',
  ]);
  const wrongKeys = await doctor({
    HYPERAGENTS_S3_ACCESS_KEY_ID: 'WRONG',
    HYPERAGENTS_S3_SECRET_ACCESS_KEY: 'WRONG',
  });
  expect(wrongKeys.code).toBe(1);
  expect(wrongKeys.failed).toEqual([
    `FAIL s3: S3 at ${s3} refused the credentials (InvalidAccessKeyId): check HYPERAGENTS_S3_ACCESS_KEY_ID / HYPERAGENTS_S3_SECRET_ACCESS_KEY, or the AWS chain's`,
  ]);
  // Not the embedded server and no keys: the AWS default chain, which finds none here.
  expect((await doctor({ HYPERAGENTS_S3_EMBEDDED: 'false', HYPERAGENTS_S3_ENDPOINT: s3 })).failed).toEqual([
    'FAIL s3: no S3 credentials found: set HYPERAGENTS_S3_ACCESS_KEY_ID and HYPERAGENTS_S3_SECRET_ACCESS_KEY, or credentials the AWS default chain finds (AWS_* variables, a profile, an IRSA or instance role)',
  ]);
  // ...and with the keys in AWS_* variables, the same config is healthy.
  expect(
    (
      await doctor({
        HYPERAGENTS_S3_EMBEDDED: 'false',
        HYPERAGENTS_S3_ENDPOINT: s3,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      })
    ).failed,
  ).toEqual([]);
  expect((await doctor({ HYPERAGENTS_S3_BUCKET: 'hyperagents-no-such-bucket' })).failed).toEqual([
    `FAIL s3: bucket hyperagents-no-such-bucket does not exist at ${s3}: \`hyperagents dev up\` creates it`,
  ]);
  const front = await denyWrites(suite.s3.port);
  try {
    expect((await doctor({ HYPERAGENTS_S3_ENDPOINT: front.endpoint })).failed).toEqual([
      `FAIL s3: no permission to write in bucket hyperagents (AccessDenied): grant s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on it`,
    ]);
  } finally {
    await front.close();
  }
});

test('sandbox and data faults: no backend selected, dockerd not answering, a missing data folder', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-doctor-'));
  try {
    expect((await doctor({ HYPERAGENTS_STATE_DIR: stateDir })).failed).toEqual([
      'FAIL sandbox: no backend selected yet: run `hyperagents dev up`',
    ]);
    expect(
      (await doctor({ HYPERAGENTS_STATE_DIR: stateDir, HYPERAGENTS_SANDBOX_BACKEND: 'docker' })).failed,
    ).toEqual([
      `FAIL sandbox: dockerd does not answer at unix://${stateLayout(loadConfig({ env: { HYPERAGENTS_STATE_DIR: stateDir } })).dockerSocket}: run \`hyperagents dev up\` (or set sandbox.backend to bubblewrap)`,
    ]);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const missing = path.join(os.tmpdir(), 'ha-doctor-no-such-data');
  expect((await doctor({ HYPERAGENTS_DATA_DIR: missing })).failed).toEqual([
    `FAIL data: dataDir ${missing} does not exist: fix HYPERAGENTS_DATA_DIR or dataDir (a folder with one sub-folder per domain: README "Domain data")`,
  ]);
});
