/**
 * Secrets never reach the terminal (issue 12): the Temporal API key and the S3 secret are in no
 * line the CLI prints, whether the command works, fails to connect, or runs with HYPERAGENTS_DEBUG=1
 * (stack traces). Runs the built CLI as a user would.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../src/host/assets';
import { stackConfig } from '../helpers/stack';

const suite = stackConfig();
const KEY = 'sk-temporal-7f3a9c1e5b2d4f60';
const S3_SECRET = 'aws-secret-9d8c7b6a5f4e3d2c';

function cli(args: string[], env: Record<string, string>) {
  const res = spawnSync(process.execPath, [path.join(projectRoot, 'bin/hyperagents.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HYPERAGENTS_CONFIG: '', ...env },
    timeout: 60_000,
  });
  return { code: res.status, text: `${res.stdout}\n${res.stderr}` };
}

const withKey = (extra: Record<string, string> = {}) => ({ HYPERAGENTS_TEMPORAL_API_KEY: KEY, ...extra });

test('the Temporal API key is in no line the CLI prints, working or failing, with or without debug output', () => {
  const plain = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ha-secrets-')), 'c.json');
  // The dev server takes no key: sent over plain gRPC (tls false) it is ignored, and `list` works.
  fs.writeFileSync(
    plain,
    JSON.stringify({ temporal: { address: `127.0.0.1:${suite.temporal.port}`, tls: false } }),
  );
  const works = cli(['--config', plain, 'list'], withKey());
  expect(works.code).toBe(0);
  const cases: Array<{ args: string[]; env: Record<string, string>; expect: RegExp }> = [
    {
      args: ['doctor'],
      env: withKey({ HYPERAGENTS_TEMPORAL_ADDRESS: `127.0.0.1:${suite.temporal.port}` }),
      expect: /FAIL temporal: cannot connect to Temporal at .*TLS handshake failed/,
    },
    {
      args: ['--config', plain, 'doctor'],
      env: withKey(),
      expect: /ok {3}temporal: 127\.0\.0\.1:\d+ \(plain, API key\)/,
    },
    // An API key turns TLS on; the dev server does not serve it.
    {
      args: ['list'],
      env: withKey({ HYPERAGENTS_TEMPORAL_ADDRESS: `127.0.0.1:${suite.temporal.port}` }),
      expect: /TLS handshake failed/,
    },
    {
      args: ['list'],
      env: withKey({ HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1' }),
      expect: /cannot reach Temporal at 127\.0\.0\.1:1/,
    },
    {
      args: ['worker'],
      env: withKey({ HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1' }),
      expect: /cannot reach Temporal at 127\.0\.0\.1:1/,
    },
    {
      args: ['status', 'no-such-run'],
      env: withKey({ HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1' }),
      expect: /cannot reach/,
    },
    {
      args: ['dev', 'status'],
      env: withKey({ HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1' }),
      expect: /temporal\s+external/,
    },
  ];
  for (const c of cases) {
    for (const debug of ['0', '1']) {
      const r = cli(c.args, { ...c.env, HYPERAGENTS_DEBUG: debug });
      expect(r.text).toMatch(c.expect);
      expect(r.text).not.toContain(KEY);
    }
  }
  expect(works.text).not.toContain(KEY);
});

test('a secret in the config file is refused without repeating it; the S3 secret is never printed', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ha-secrets-')), 'c.json');
  fs.writeFileSync(file, JSON.stringify({ temporal: { apiKey: KEY }, s3: { secretAccessKey: S3_SECRET } }));
  const r = cli(['--config', file, 'list'], {});
  expect(r.code).toBe(1);
  expect(r.text).toMatch(/temporal\.apiKey: a secret is not read from the config file/);
  expect(r.text).not.toContain(KEY);
  expect(r.text).not.toContain(S3_SECRET);
  // Wrong S3 keys through the environment: the refusal names no secret.
  const wrong = cli(['archive', 'no-such-run'], {
    HYPERAGENTS_S3_ACCESS_KEY_ID: 'WRONG',
    HYPERAGENTS_S3_SECRET_ACCESS_KEY: S3_SECRET,
    HYPERAGENTS_DEBUG: '1',
  });
  expect(wrong.code).not.toBe(0);
  expect(wrong.text).not.toContain(S3_SECRET);
});
