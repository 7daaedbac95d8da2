import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnService, stopService } from '../../src/devstack/processes';

/**
 * The dev services (Temporal, the S3 server, dockerd) are started by spawnService. They run for as
 * long as the stack, so they must not carry the worker's secrets: only PATH, HOME (and TMPDIR) and
 * their own settings reach them.
 */

const environ = (pid: number): Record<string, string> =>
  Object.fromEntries(
    fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

test("a dev service gets a clean environment, not the worker's (API key, cloud credentials)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'service-env-'));
  const service = { name: 'env-probe', pidFile: path.join(dir, 'probe.pid'), marker: dir };
  const secrets = { OPENAI_API_KEY: 'sk-service-env-test', AWS_SECRET_ACCESS_KEY: 'aws-service-env-test' };
  Object.assign(process.env, secrets);
  try {
    const pid = spawnService(
      service,
      process.execPath,
      ['-e', 'setTimeout(() => {}, 30000)', dir],
      path.join(dir, 'probe.log'),
    );
    const env = environ(pid);
    expect(Object.keys(env).sort()).toEqual(
      ['HOME', 'PATH', ...(process.env.TMPDIR ? ['TMPDIR'] : [])].sort(),
    );
    expect(env.PATH).toBe(process.env.PATH);
    expect(JSON.stringify(env)).not.toMatch(/service-env-test/);
  } finally {
    for (const k of Object.keys(secrets)) delete process.env[k];
    await stopService(service, 2000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
