import {
  BubblewrapSandbox,
  DockerSandbox,
  ensureRootfs,
  ensureSandboxImage,
  type Sandbox,
} from '../../src/sandbox';
import { dockerClient, stateLayout } from '../../src/devstack';
import { stackConfig } from '../helpers/stack';

const c = stackConfig();
const layout = stateLayout(c);
const limits = { memoryMb: 128, cpus: 1, pids: 64, timeoutSec: 30, scratchMb: 16 };

// What the program reports about its own confinement, from inside.
const probe = `
import fs from 'node:fs';
import os from 'node:os';
const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return true; } catch { return false; } };
let memLimit = null;
try { memLimit = Number(fs.readFileSync('/sys/fs/cgroup/memory/memory.limit_in_bytes', 'utf8')); } catch {}
console.log(JSON.stringify({
  uid: process.getuid(),
  interfaces: Object.keys(os.networkInterfaces()),
  rootWritable: tryWrite('/usr/bin/x'),
  workWritable: tryWrite('/work/out.txt'),
  env: Object.keys(process.env).sort(),
  memLimit,
  input: fs.readFileSync('/work/input.txt', 'utf8'),
}));
`;

const backends: Array<[string, () => Promise<Sandbox>]> = [
  [
    'docker',
    async () =>
      new DockerSandbox(dockerClient(c), await ensureSandboxImage(dockerClient(c), layout.sandboxRoot)),
  ],
  ['bubblewrap', async () => new BubblewrapSandbox(ensureRootfs(layout.sandboxRoot).dir)],
];

describe.each(backends)('%s sandbox', (name, make) => {
  test('runs node as a non-root user with only loopback, a read-only root and a clean environment', async () => {
    const sandbox = await make();
    const res = await sandbox.run({
      files: { 'probe.mjs': probe, 'input.txt': 'hello' },
      command: ['/usr/bin/node', 'probe.mjs'],
      env: { ONLY_THIS: '1' },
      limits,
    });
    expect(res.stderr).toBe('');
    expect(res.outcome).toBe('ok');
    const seen = JSON.parse(res.stdout) as { env: string[]; memLimit: number | null };
    expect(seen).toMatchObject({
      uid: 10001,
      interfaces: ['lo'],
      rootWritable: false,
      workWritable: true,
      input: 'hello',
    });
    expect(seen.env.filter((k: string) => !['HOSTNAME', 'PATH', 'HOME', 'PWD'].includes(k))).toEqual([
      'ONLY_THIS',
    ]);
    if (name === 'docker') expect(seen.memLimit).toBe(128 * 1024 * 1024);
  });

  test('reports a non-zero exit as crashed and a runaway program as timed out', async () => {
    const sandbox = await make();
    const crashed = await sandbox.run({
      files: {},
      command: ['/usr/bin/node', '-e', 'process.exit(3)'],
      limits,
    });
    expect([crashed.outcome, crashed.exitCode]).toEqual(['crashed', 3]);
    const looped = await sandbox.run({
      files: {},
      command: ['/usr/bin/node', '-e', 'for(;;){}'],
      limits: { ...limits, timeoutSec: 2 },
    });
    expect(looped.outcome).toBe('timeout');
  });
});

test('docker: a memory bomb is killed and classified as out of memory', async () => {
  const sandbox = new DockerSandbox(
    dockerClient(c),
    await ensureSandboxImage(dockerClient(c), layout.sandboxRoot),
  );
  const res = await sandbox.run({
    files: {},
    command: ['/usr/bin/node', '-e', 'const a=[]; for(;;) a.push(Buffer.alloc(1<<20, 1));'],
    limits: { ...limits, memoryMb: 96 },
  });
  expect(res.outcome).toBe('oom');
});

test('refuses file names that escape the work folder', async () => {
  const sandbox = new BubblewrapSandbox(ensureRootfs(layout.sandboxRoot).dir);
  await expect(
    sandbox.run({ files: { '../escape.txt': 'x' }, command: ['/usr/bin/node', '-e', '0'], limits }),
  ).rejects.toThrow('refusing path outside the work folder');
});

describe.each(backends)('%s sandbox copy-out', (_name, make) => {
  test('copies declared outputs out, without following a symlink that points outside', async () => {
    const sandbox = await make();
    const res = await sandbox.run({
      files: { 'program/a.txt': 'parent' },
      command: [
        '/bin/sh',
        '-c',
        'echo child > program/a.txt && mkdir program/sub && echo deep > program/sub/b.txt && ln -s /etc/passwd program/leak',
      ],
      outputs: ['program'],
      limits,
    });
    expect(res.outcome).toBe('ok');
    const files = Object.fromEntries(Object.entries(res.outputs.files).map(([k, v]) => [k, v.toString()]));
    expect(files).toEqual({ 'program/a.txt': 'child\n', 'program/sub/b.txt': 'deep\n' });
    expect(res.outputs.skipped.map((s) => s.path)).toEqual(['program/leak']);
  });
});

describe.each(backends)('%s sandbox cancellation', (_name, make) => {
  test('aborting the signal kills the session long before its time limit', async () => {
    const sandbox = await make();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const res = await sandbox.run({
      files: {},
      command: ['/usr/bin/node', '-e', 'setInterval(() => {}, 1000)'],
      limits: { ...limits, timeoutSec: 60 },
      signal: controller.signal,
    });
    expect(res.outcome).not.toBe('ok');
    expect(res.outcome).not.toBe('timeout'); // killed by the abort, not by the 60 s limit
  });
});
