import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../src/host/assets';
import { AGENT_UID, BubblewrapSandbox, ensureRootfs, type Sandbox } from '../../src/sandbox';
import { currentWorker } from '../../src/sandbox/owner';
import { cleanHost, hostState, leftSince } from './hostState';
import { backends, docker, env, hostileRunner, lastJson, layout, limits, node, observedLog } from './suite';

/**
 * Hostile cases found in review of the bubblewrap backend (and, where they apply to both, Docker):
 * /dev and /dev/shm, seccomp, inherited descriptors and the open-file limit, the rlimit fallback and
 * its opt-in, and the privacy of the work area on a shared host.
 */

jest.setTimeout(90_000);

const record = observedLog('bubblewrap');

/**
 * Writes 1 MiB files into `dir` until refused, or `maxMb` (so an unsized tmpfs cannot eat the RAM).
 * One file each, so a per-file size limit (RLIMIT_FSIZE) is not what stops it.
 */
const fill = (dir: string, maxMb = 64) => `
import fs from 'node:fs';
const chunk = Buffer.alloc(1 << 20, 7);
let mb = 0, code = null;
try { for (; mb < ${maxMb}; mb++) fs.writeFileSync('${dir}/fill' + mb, chunk); } catch (e) { code = e.code; }
console.log(JSON.stringify({ mb, code }));
`;

/** Opens /dev/null until refused; reports how many it got and the limit the kernel shows. */
const openFiles = `
import fs from 'node:fs';
const limit = /^Max open files\\s+(\\S+)\\s+(\\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
let opened = 0, code = null;
try { for (; opened < 5000; opened++) fs.openSync('/dev/null', 'r'); } catch (e) { code = e.code; }
console.log(JSON.stringify({ opened, code, soft: limit?.[1], hard: limit?.[2] }));
`;

/** Tries system calls a sandboxed program has no use for; prints the errno of each (0: it worked). */
const PROBE_C = `
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
static char buf[256];
static int first = 1;
static void report(const char *name, long r) {
  printf("%s\\"%s\\":%d", first ? "{" : ",", name, r < 0 ? errno : 0);
  first = 0;
}
int main(void) {
  memset(buf, 0, sizeof buf);
  report("io_uring_setup", syscall(425, 1, buf));
  report("userfaultfd", syscall(SYS_userfaultfd, 1));
  report("bpf", syscall(SYS_bpf, 0, buf, 72));
  report("keyctl", syscall(SYS_keyctl, 0, -3, 0));
  report("perf_event_open", syscall(SYS_perf_event_open, buf, 0, -1, -1, 0));
  report("unshare", syscall(SYS_unshare, CLONE_NEWUSER));
  report("setns", syscall(SYS_setns, 0, 0));
  report("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  report("clone_newuser", pid);
  report("ptrace", syscall(SYS_ptrace, 0, 0, 0, 0));
  printf("}\\n");
  return 0;
}
`;

/** The probe compiled statically on the host, or why it could not be. */
function compileProbe(): { binary?: Buffer; reason?: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-probe-'));
  try {
    fs.writeFileSync(path.join(dir, 'probe.c'), PROBE_C);
    execFileSync('gcc', ['-static', '-O1', '-o', path.join(dir, 'probe'), path.join(dir, 'probe.c')], {
      stdio: 'pipe',
    });
    return { binary: fs.readFileSync(path.join(dir, 'probe')) };
  } catch (e) {
    return { reason: `gcc -static failed or is missing: ${String((e as Error).message).split('\n')[0]}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(backends)('%s: kernel surface and descriptors', (backend, make) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await make();
  });
  const hostile = hostileRunner(backend, () => sandbox, record);

  test('/dev is read-only and /dev/shm stops at the scratch cap', async () => {
    const dev = await hostile('writing /dev', {
      files: {},
      command: ['/bin/sh', '-c', 'echo x > /dev/planted && echo wrote; echo y > /dev/null && echo null-ok'],
    });
    expect(dev.stdout).toBe('null-ok\n');
    const shm = await hostile('filling /dev/shm', node(fill('/dev/shm')));
    const seen = lastJson(shm) as { mb: number; code: string | null };
    expect(shm.outcome).toBe('ok');
    expect(seen.mb).toBeLessThanOrEqual(limits.scratchMb);
    expect(['ENOSPC', 'EROFS', 'ENOENT', 'EACCES']).toContain(seen.code);
  });

  test('open-file limit: EMFILE before 1024 descriptors', async () => {
    const res = await hostile('opening files until refused', node(openFiles));
    const seen = lastJson(res) as { opened: number; code: string; soft: string; hard: string };
    expect(seen.code).toBe('EMFILE');
    expect(seen.opened).toBeLessThan(1024);
    expect([seen.soft, seen.hard]).toEqual(['1024', '1024']);
  });

  test('seccomp: io_uring, userfaultfd, bpf, keyctl, namespaces, mount, ptrace are refused', async () => {
    const status = await hostile('seccomp status and busybox unshare/nsenter', {
      files: {},
      command: [
        '/bin/sh',
        '-c',
        'grep "^Seccomp:" /proc/self/status; unshare -m true 2>/dev/null && echo unshare-m; ' +
          'unshare -U true 2>/dev/null && echo unshare-U; nsenter -t 1 -m true 2>/dev/null && echo nsenter; echo done',
      ],
    });
    expect(status.stdout).toBe('Seccomp:\t2\ndone\n');
    const probe = compileProbe();
    if (!probe.binary) {
      console.warn(`seccomp: io_uring probe skipped on ${backend}: ${probe.reason}`);
      return;
    }
    const res = await hostile('seccomp-denied syscalls (C probe)', {
      files: { probe: probe.binary },
      command: ['/bin/sh', '-c', 'chmod +x probe && ./probe'],
    });
    expect(res.outcome).toBe('ok');
    const EPERM = 1;
    expect(lastJson(res)).toEqual({
      io_uring_setup: EPERM,
      userfaultfd: EPERM,
      bpf: EPERM,
      keyctl: EPERM,
      perf_event_open: EPERM,
      unshare: EPERM,
      setns: EPERM,
      mount: EPERM,
      clone_newuser: EPERM,
      ptrace: EPERM,
    });
  });
});

/**
 * A separate worker process (this file's sandbox code, transpiled on load) that runs one session and
 * prints its result: for what the jest process cannot set up in itself (a descriptor without
 * close-on-exec, another uid).
 */
function workerChild(o: {
  options?: Record<string, unknown>;
  spec: Record<string, unknown>;
  uid?: number;
  /** A file the worker holds open, without close-on-exec, at descriptor 260. */
  heldFile?: string;
}): Promise<{
  pid: number;
  result?: { outcome: string; stdout: string; stderr: string; violation?: string };
  error?: string;
}> {
  const script = `
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), {
  fileName: f, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
}).outputText, f);
const { BubblewrapSandbox } = require(${JSON.stringify(path.join(projectRoot, 'src/sandbox/bubblewrapSandbox.ts'))});
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
new BubblewrapSandbox(input.rootfs, input.options).run(input.spec).then(
  (r) => console.log(JSON.stringify({ result: { outcome: r.outcome, stdout: r.stdout, stderr: r.stderr, violation: r.violation } })),
  (e) => console.log(JSON.stringify({ error: e.message })),
);
`;
  const held = o.heldFile ? fs.openSync(o.heldFile, 'r') : undefined;
  const stdio: Array<'pipe' | 'ignore' | 'inherit' | number> = ['pipe', 'pipe', 'inherit'];
  if (held !== undefined) {
    while (stdio.length < 260) stdio.push('ignore');
    stdio.push(held);
  }
  const prefix =
    o.uid === undefined
      ? []
      : ['setpriv', '--reuid', String(o.uid), '--regid', String(o.uid), '--clear-groups'];
  const argv = [...prefix, process.execPath, '-e', script];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio,
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '' },
  });
  if (held !== undefined) fs.closeSync(held);
  child.stdin!.end(
    JSON.stringify({ rootfs: ensureRootfs(layout.sandboxRoot).dir, options: o.options, spec: o.spec }),
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve({ pid: child.pid!, ...(JSON.parse(out.trim().split('\n').pop() ?? '') as object) });
      } catch {
        reject(new Error(`worker child printed no result: ${out}`));
      }
    });
  });
}

/** Work areas and mounts a worker child's sessions left (its pid is in their names). */
function leftBy(pid: number): string[] {
  const tag = `ha-${currentWorker().split('-')[0]}-${pid}-`;
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '');
  return [...fs.readdirSync(os.tmpdir()), ...mounts].filter((n) => n.includes(tag));
}

describe('bubblewrap only', () => {
  const rootfs = () => ensureRootfs(layout.sandboxRoot).dir;
  const hostile = hostileRunner('bubblewrap', () => new BubblewrapSandbox(rootfs()), record);
  const asRoot = process.getuid?.() === 0;

  test('the work area is private: /work is mode 0700, owned by the agent', async () => {
    const res = await hostile('work area permissions', {
      files: { 'a.txt': 'x' },
      command: ['/bin/sh', '-c', 'stat -c "%a %u" /work /work/a.txt'],
    });
    expect(res.stdout).toBe(`700 ${AGENT_UID}\n644 ${AGENT_UID}\n`);
  });

  test('descriptors the worker holds open never reach the sandbox', async () => {
    const marker = `held-secret-${Math.random().toString(36).slice(2)}`;
    const secret = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-fd-')), 'secret');
    fs.writeFileSync(secret, marker, { mode: 0o600 });
    try {
      const { pid, result, error } = await workerChild({
        heldFile: secret,
        spec: {
          files: {},
          command: [
            '/bin/sh',
            '-c',
            // Read from the descriptor itself: reopening /proc/self/fd/260 would check the file's mode.
            'ls /proc/self/fd | tr "\\n" " "; echo; cat <&260 2>/dev/null; true',
          ],
          env,
          limits,
        },
      });
      record('descriptor inherited from the worker', 'bubblewrap', result?.outcome ?? `error: ${error}`);
      expect(error).toBeUndefined();
      expect(result!.stdout).not.toContain(marker);
      // ls itself holds 3 for the folder it lists.
      expect(result!.stdout.split('\n')[0]!.trim().split(' ').sort()).toEqual(['0', '1', '2', '3']);
      expect(leftBy(pid)).toEqual([]);
    } finally {
      fs.rmSync(path.dirname(secret), { recursive: true, force: true });
    }
  });

  (asRoot ? test : test.skip)(
    'as root, a cgroup that cannot be created is an error, not a fallback',
    async () => {
      // A cgroup root holding no hierarchy: creating the session's cgroup fails.
      const cgroupRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-no-cgroup-'));
      try {
        const before = await hostState(docker);
        const run = new BubblewrapSandbox(rootfs(), { cgroupRoot }).run({
          ...node('console.log("ran")'),
          env,
          limits,
        });
        await expect(run).rejects.toThrow(
          /^bubblewrap sandbox: refusing to run as root without a session cgroup/,
        );
        record('cgroup set-up failure as root', 'bubblewrap', 'refused (run rejects)');
        expect(await leftSince(docker, before)).toEqual(cleanHost());
        expect(fs.readdirSync(cgroupRoot)).toEqual([]);
      } finally {
        fs.rmSync(cgroupRoot, { recursive: true, force: true });
      }
    },
  );

  (asRoot ? test : test.skip)(
    'without cgroups (not root), the rlimit fallback runs only when opted in',
    async () => {
      const spec = { ...node(fill('/dev/shm')), env, limits };
      const refused = await workerChild({ uid: AGENT_UID + 1, spec });
      record(
        'no cgroups, fallback not opted in',
        'bubblewrap',
        refused.error ? 'refused (run rejects)' : 'ran',
      );
      expect(refused.error).toMatch(/allowRlimitFallback/);
      expect(leftBy(refused.pid)).toEqual([]);
      const opted = await workerChild({ uid: AGENT_UID + 1, spec, options: { allowRlimitFallback: true } });
      record(
        'no cgroups, opted in: filling /dev/shm',
        'bubblewrap',
        opted.result?.outcome ?? `error: ${opted.error}`,
      );
      expect(opted.error).toBeUndefined();
      const seen = JSON.parse(opted.result!.stdout.trim()) as { mb: number; code: string };
      expect(seen.mb).toBeLessThanOrEqual(limits.scratchMb);
      expect(seen.code).toBe('ENOSPC');
      expect(leftBy(opted.pid)).toEqual([]);
    },
  );
});
