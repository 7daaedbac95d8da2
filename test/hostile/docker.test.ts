import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type Docker from 'dockerode';
import {
  HOST_LABEL,
  LABEL,
  WORKER_LABEL,
  currentWorker,
  ensureSandboxImage,
  type Sandbox,
} from '../../src/sandbox';
import { sessionContainerOptions } from '../../src/sandbox/dockerSandbox';
import { startPeriodicSweep } from '../../src/sandbox/janitor';
import { closeSession, openSession } from '../../src/sandbox/owner';
import { backends, docker, hostileRunner, lastJson, layout, limits, node, observedLog } from './suite';

jest.setTimeout(60_000);

const record = observedLog('docker');

/**
 * The seccomp and open-file cases run on both backends (the policy is shared: src/sandbox/seccompPolicy.ts);
 * the cases of a worker that dies mid-session are Docker's (bwrap runs with --die-with-parent).
 *
 * A static probe that calls each syscall the sandbox must refuse, with arguments the kernel would
 * accept or reject with another error than EPERM where it can, and prints `{ name: errno name }`.
 */
const PROBE_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
static int first = 1;
static char zero[512];
static void report(const char *name, long r) {
  printf("%s\"%s\":\"%s\"", first ? "{" : ",", name, r >= 0 ? "allowed" : strerrorname_np(errno));
  first = 0;
}
#define TRY(name, ...) do { errno = 0; report(#name, syscall(SYS_##name, __VA_ARGS__)); } while (0)
int main(void) {
  TRY(io_uring_setup, 1, zero);
  TRY(io_uring_enter, -1, 0, 0, 0, NULL, 0);
  TRY(io_uring_register, -1, 0, NULL, 0);
  TRY(userfaultfd, 0);
  TRY(bpf, 0, zero, 64);
  TRY(perf_event_open, zero, 0, -1, -1, 0);
  TRY(keyctl, 0, -3, 0);
  TRY(add_key, "user", "k", "v", 1, -3);
  TRY(request_key, "user", "k", NULL, 0);
  TRY(unshare, CLONE_NEWUSER);
  TRY(setns, -1, 0);
  TRY(ptrace, PTRACE_TRACEME, 0, 0, 0);
  TRY(mount, "none", "/tmp", "tmpfs", 0, NULL);
  TRY(umount2, "/tmp", 0);
  TRY(pivot_root, "/tmp", "/tmp");
  TRY(kexec_load, 0, 0, NULL, 0);
  TRY(kexec_file_load, -1, -1, 0, "", 0);
  TRY(init_module, zero, 0, "");
  TRY(finit_module, -1, "", 0);
  TRY(open_by_handle_at, -1, zero, 0);
  {
    /* A child in a new user namespace: the clone filter refuses namespace flags. */
    errno = 0;
    long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (r == 0) _exit(0);
    report("clone_newuser", r);
  }
  printf("}\n");
  return 0;
}
`;

/** Compiles the probe on the host (static, so it runs in the image that has no libc of its own). */
function compileProbe(): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-probe-'));
  try {
    fs.writeFileSync(path.join(dir, 'probe.c'), PROBE_C);
    execFileSync('gcc', ['-static', '-O1', '-o', path.join(dir, 'probe'), path.join(dir, 'probe.c')]);
    return fs.readFileSync(path.join(dir, 'probe'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens /dev/null until refused (at most 4096 times) and reports how many it got and why it stopped. */
const openUntilRefused = `
import fs from 'node:fs';
let opened = 0, code = null;
try { for (; opened < 4096; opened++) fs.openSync('/dev/null', 'r'); } catch (e) { code = e.code; }
console.log(JSON.stringify({ opened, code }));
`;

describe.each(backends)('%s: kernel attack surface and open files are limited', (backend, make) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await make();
  });
  const hostile = hostileRunner(backend, () => sandbox, record);

  test('dangerous syscalls (io_uring, namespaces, ptrace, bpf, keys, modules, mounts): refused with EPERM', async () => {
    const res = await hostile('dangerous syscalls (static probe)', {
      files: { probe: compileProbe() },
      command: ['/bin/sh', '-c', 'chmod +x probe && ./probe'],
    });
    expect(res.outcome).toBe('ok');
    const seen = lastJson(res) as Record<string, string>;
    const names = Object.keys(seen);
    expect(names).toHaveLength(21);
    expect(seen).toEqual(Object.fromEntries(names.map((n) => [n, 'EPERM'])));
  });

  test('seccomp is on, and unshare / nsenter are refused', async () => {
    const res = await hostile('unshare, nsenter, seccomp mode', {
      files: {},
      command: [
        '/bin/sh',
        '-c',
        'grep ^Seccomp: /proc/self/status; unshare -U true 2>&1; echo "unshare=$?"; nsenter -t 1 -U true 2>&1; echo "nsenter=$?"',
      ],
    });
    expect(res.outcome).toBe('ok');
    expect(res.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(res.stdout).toMatch(/unshare.*Operation not permitted\nunshare=1/);
    expect(res.stdout).toMatch(/nsenter.*Operation not permitted\nnsenter=1/);
  });

  test('node still does real work under the profile: child processes, threads, sockets, files', async () => {
    const res = await hostile(
      'node workload under the profile',
      node(`
import { execFileSync, spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import net from 'node:net';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
const out = {};
out.child = execFileSync('/bin/sh', ['-c', 'echo hi | tr a-z A-Z']).toString().trim();
out.spawn = spawnSync('/usr/bin/node', ['-e', 'console.log(1 + 1)']).stdout.toString().trim();
out.worker = await new Promise((r) => new Worker('require("worker_threads").parentPort.postMessage(6 * 7)', { eval: true }).on('message', r));
fs.mkdirSync('d/e', { recursive: true });
fs.writeFileSync('d/e/f.txt', 'x'.repeat(100000));
fs.renameSync('d/e/f.txt', 'd/g.txt');
out.files = fs.readdirSync('d').sort();
out.gzip = zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(1 << 20, 1))).length;
out.hash = crypto.createHash('sha256').update('a').digest('hex').slice(0, 8);
out.scrypt = crypto.scryptSync('p', 's', 16).length;
out.loopback = await new Promise((r) => {
  const s = net.createServer((c) => c.end('pong')).listen(0, '127.0.0.1', () => {
    const c = net.connect(s.address().port, '127.0.0.1');
    let d = ''; c.on('data', (x) => (d += x)); c.on('end', () => { s.close(); r(d); });
  });
});
out.unix = await new Promise((r) => {
  const s = net.createServer((c) => c.end('unix')).listen('/tmp/s.sock', () => {
    const c = net.connect('/tmp/s.sock');
    let d = ''; c.on('data', (x) => (d += x)); c.on('end', () => { s.close(); r(d); });
  });
});
out.timer = await new Promise((r) => setTimeout(() => r('fired'), 20));
console.log(JSON.stringify(out));
`),
    );
    expect(res.stderr).toBe('');
    expect(lastJson(res)).toEqual({
      child: 'HI',
      spawn: '2',
      worker: 42,
      files: ['e', 'g.txt'],
      gzip: 1 << 20,
      hash: 'ca978112',
      scrypt: 16,
      loopback: 'pong',
      unix: 'unix',
      timer: 'fired',
    });
  });

  test('opening files without end: refused with EMFILE below the open-file limit', async () => {
    const res = await hostile('opening files until refused', node(openUntilRefused));
    expect(res.outcome).toBe('ok');
    const seen = lastJson(res) as { opened: number; code: string | null };
    expect(seen.code).toBe('EMFILE');
    expect(seen.opened).toBeLessThan(1024);
  });
});

/** A worker that no longer runs (same boot, a pid that is not this process's start time). */
const deadWorker = `${currentWorker().split('-')[0]}-999999-12345`;
const suffix = () => Math.random().toString(16).slice(2, 10).padEnd(8, '0');

/** Waits for `done` (polling), at most `boundMs`; says whether it happened. */
async function eventually(done: () => Promise<boolean>, boundMs: number): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return done();
}

/** A container made exactly as a session's, started, and then left alone as by a worker that died. */
/** A session's container and volume made directly; `name` defaults to one of `worker` (not open here). */
async function abandonedSession(
  worker: string,
  holdSlackSec?: number,
  name = `ha-${worker}-${suffix()}`,
): Promise<{ name: string; container: Docker.Container }> {
  const labels = { [LABEL]: 'sandbox', [WORKER_LABEL]: worker, [HOST_LABEL]: os.hostname() };
  const image = await ensureSandboxImage(docker, layout.sandboxRoot);
  await docker.createVolume({ Name: name, Labels: labels });
  const container = await docker.createContainer(
    sessionContainerOptions({
      name,
      image,
      labels,
      limits: { ...limits, timeoutSec: 1 },
      volume: name,
      holdSlackSec,
    }),
  );
  await container.start();
  return { name, container };
}

async function removeSession({ name, container }: { name: string; container: Docker.Container }) {
  await container.remove({ force: true, v: true }).catch(() => undefined);
  await docker
    .getVolume(name)
    .remove()
    .catch(() => undefined);
}

const volumeExists = (name: string) =>
  docker
    .getVolume(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );

const exists = (c: Docker.Container) =>
  c.inspect().then(
    () => true,
    () => false,
  );

describe('docker: a worker that dies mid-session leaves nothing running', () => {
  test('its container stops by itself once the time limit and the slack have passed', async () => {
    // A running session of this (live) worker, so no sweep removes it: only its own first process can end it.
    const session = await abandonedSession(currentWorker(), 2, openSession());
    const { container } = session;
    try {
      const exited = await Promise.race([
        container.wait() as Promise<{ StatusCode: number }>,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 45_000).unref()),
      ]);
      record(
        'container of a dead worker (PID 1 bounded)',
        'docker',
        exited ? `exited ${exited.StatusCode}` : 'running',
      );
      expect(exited?.StatusCode).toBe(0);
      expect((await container.inspect()).State.Status).toBe('exited');
    } finally {
      closeSession(session.name);
      await removeSession(session);
    }
  });

  test("the running worker's periodic sweep removes it, and keeps a live worker's session", async () => {
    const made: Array<{ name: string; container: Docker.Container }> = [];
    // Both sessions run before the sweeper starts (a sweep racing a container's start would remove it
    // before it ran); the sweeper's first sweep comes only after its interval, never at start, so
    // what removes the dead one is a periodic sweep.
    const dead = await abandonedSession(deadWorker);
    made.push(dead);
    const live = await abandonedSession(currentWorker(), undefined, openSession());
    made.push(live);
    const sweeper = startPeriodicSweep(docker, {
      intervalMs: 250,
      tmpDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sweeper-')),
    });
    try {
      const removed = await eventually(
        async () => !(await exists(dead.container)) && !(await volumeExists(dead.name)),
        30_000,
      );
      record('container of a dead worker (periodic sweep)', 'docker', removed ? 'removed' : 'left');
      expect(removed).toBe(true);
      // The sweep that removed the dead worker's session judged the live one too: still there, running.
      expect((await live.container.inspect()).State.Running).toBe(true);
      expect(await volumeExists(live.name)).toBe(true);
    } finally {
      await sweeper.stop();
      closeSession(live.name);
      for (const m of made) await removeSession(m);
    }
  });
});
