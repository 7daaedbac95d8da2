import { spawn } from 'child_process';
import type { Writable } from 'stream';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SessionCgroup } from './cgroup';
import { collectFromDir } from './copyOut';
import { closeSession, openSession } from './owner';
import { SOCKET_DIR, WORK_DIR } from './paths';
import { AGENT_GID, AGENT_UID } from './rootfs';
import { seccompFilter } from './seccomp';
import { OPEN_FILES_LIMIT } from './seccompPolicy';
import { classify, type Sandbox, type SandboxLimits, type SandboxResult, type SandboxRunSpec } from './types';
import { SessionWatchdog } from './watchdog';
import { WorkArea } from './workArea';
import { safeRelative } from './workTar';

/**
 * The first program of every session, run by a host shell that accepts descriptors above 9 (busybox
 * sh or bash; dash does not): closes every descriptor above 3 the worker may have inherited without
 * close-on-exec (3 is the seccomp program, which bwrap reads and closes), joins the cgroups listed
 * first (`n` files), then execs the rest. Nothing runs before it is limited.
 */
const PREPARE =
  'for f in /proc/$$/fd/*; do d=${f##*/}; [ "$d" -gt 3 ] && eval "exec $d>&-"; done; ' +
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

/** The descriptor bwrap reads the seccomp program from (`--seccomp 3`). */
const SECCOMP_FD = 3;

export interface BubblewrapOptions {
  /**
   * Where no session cgroup can be created and this process is not root: run anyway, limited by
   * rlimits only (no memory or pids cgroup, an uncapped /work checked only after the run). Off by
   * default, so such a host refuses to run sessions; root never falls back. Config:
   * `sandbox.allowRlimitFallback`.
   */
  allowRlimitFallback?: boolean;
  /** cgroup mount point (default /sys/fs/cgroup). */
  cgroupRoot?: string;
}

function bin(name: string): string | undefined {
  return ['/usr/bin', '/bin', '/usr/sbin', '/sbin']
    .map((d) => path.join(d, name))
    .find((p) => fs.existsSync(p));
}

function need(name: string): string {
  const p = bin(name);
  if (!p) throw new Error(`bubblewrap sandbox: ${name} is not installed`);
  return p;
}

/** A host shell whose redirections take any descriptor number. */
function shell(): string[] {
  const busybox = bin('busybox');
  if (busybox) return [busybox, 'sh'];
  const bash = bin('bash');
  if (bash) return [bash];
  throw new Error('bubblewrap sandbox: needs busybox or bash on the host to close inherited descriptors');
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

/** How the session's limits are enforced: a cgroup, or (only when opted in) rlimits. */
function launcher(cgroup: SessionCgroup | undefined, limits: SandboxLimits): string[] {
  const files = cgroup?.procsFiles ?? [];
  const prefix: string[] = [...shell(), '-c', PREPARE, 'ha-prepare', String(files.length), ...files];
  // Drop to the agent user only after joining (joining needs root); bwrap then runs unprivileged and
  // its user namespace maps the agent to itself, so nothing inside is root on the host.
  if (asRoot()) {
    prefix.push(need('setpriv'), '--reuid', String(AGENT_UID), '--regid', String(AGENT_GID));
    prefix.push('--clear-groups', '--no-new-privs');
  }
  prefix.push(need('prlimit'), `--nofile=${OPEN_FILES_LIMIT}:${OPEN_FILES_LIMIT}`, '--core=0');
  if (!cgroup) {
    // Fallback: per-process data size, CPU seconds, file size; the process count is per user.
    prefix.push(
      `--data=${limits.memoryMb * 1024 * 1024}`,
      `--nproc=${limits.pids}`,
      `--cpu=${Math.ceil(limits.timeoutSec * limits.cpus) + 1}`,
      `--fsize=${limits.scratchMb * 1024 * 1024}`,
    );
  }
  prefix.push('--');
  return prefix;
}

/**
 * The fallback where Docker cannot run: bubblewrap with every namespace unshared (so only `lo`
 * exists), the rootfs and /dev read-only, a private size-capped /work holding a copy of the program,
 * no capabilities, no further user namespaces, a seccomp deny-list (src/sandbox/seccomp.ts), no
 * descriptor of the worker's, and a per-session cgroup for memory, pids and CPU.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;

  constructor(
    private readonly rootfsDir: string,
    private readonly options: BubblewrapOptions = {},
  ) {}

  /**
   * The session's cgroup. As root a failure is an error (it would run the program unlimited); without
   * root, the rlimit fallback only when `allowRlimitFallback`.
   */
  private cgroupFor(session: string, limits: SandboxLimits): SessionCgroup | undefined {
    let why = 'not available';
    try {
      const cgroup = SessionCgroup.create(session, limits, this.options.cgroupRoot);
      if (cgroup) return cgroup;
    } catch (e) {
      why = (e as Error).message;
    }
    if (asRoot()) {
      throw new Error(`bubblewrap sandbox: refusing to run as root without a session cgroup (${why})`);
    }
    if (!this.options.allowRlimitFallback) {
      throw new Error(
        `bubblewrap sandbox: no writable cgroup for memory, pids and CPU limits (${why}); ` +
          'set sandbox.allowRlimitFallback to run with rlimits only',
      );
    }
    return undefined;
  }

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    // Refuse bad names before anything is created on the host.
    const files = Object.entries(spec.files).map(([name, content]) => [safeRelative(name), content] as const);
    const session = openSession();
    const seccomp = seccompFilter();
    let cgroup: SessionCgroup | undefined;
    let area: WorkArea | undefined;
    const started = Date.now();
    try {
      // Limits first: nothing is created on the host for a session that could not be limited.
      cgroup = this.cgroupFor(session, spec.limits);
      area = WorkArea.create(session, spec.limits.scratchMb);
      for (const [name, content] of files) {
        const dest = path.join(area.dir, name);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, content);
      }
      if (asRoot()) for (const f of [area.dir, ...walk(area.dir)]) fs.lchownSync(f, AGENT_UID, AGENT_GID);
      const args = [
        ...launcher(cgroup, spec.limits),
        bin('bwrap') ?? 'bwrap',
        '--unshare-all',
        '--unshare-user',
        '--disable-userns',
        '--die-with-parent',
        '--as-pid-1',
        '--new-session',
        '--ro-bind',
        this.rootfsDir,
        '/',
        '--proc',
        '/proc',
        // /dev read-only, with a size-capped /dev/shm (bwrap's /dev is an unsized tmpfs otherwise).
        '--dev',
        '/dev',
        '--size',
        String(spec.limits.scratchMb * 1024 * 1024),
        '--tmpfs',
        '/dev/shm',
        '--remount-ro',
        '/dev',
        '--size',
        String(spec.limits.scratchMb * 1024 * 1024),
        '--tmpfs',
        '/tmp',
        '--bind',
        area.dir,
        WORK_DIR,
        ...(spec.socketDir ? ['--ro-bind', spec.socketDir, SOCKET_DIR] : []),
        '--chdir',
        WORK_DIR,
        '--cap-drop',
        'ALL',
        '--seccomp',
        String(SECCOMP_FD),
        '--clearenv',
        ...Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['--setenv', k, v]),
        '--',
        ...spec.command,
      ];
      const result = await this.exec(args, seccomp, spec, started, cgroup);
      const oom = cgroup?.oomKilled() ?? false;
      let violation = result.violation;
      if (!violation && !area.capped && area.usedBytes() > spec.limits.scratchMb * 1024 * 1024) {
        violation = `scratch disk cap of ${spec.limits.scratchMb} MB exceeded`;
      }
      return {
        ...result,
        outcome: classify(result.exitCode, result.timedOut, oom, violation),
        ...(violation ? { violation } : {}),
        outputs: collectFromDir(area.dir, spec.outputs ?? []),
        durationMs: Date.now() - started,
      };
    } finally {
      await cgroup?.remove();
      area?.remove();
      closeSession(session);
    }
  }

  private exec(
    argv: string[],
    seccomp: Buffer,
    spec: SandboxRunSpec,
    started: number,
    cgroup: SessionCgroup | undefined,
  ): Promise<Omit<SandboxResult, 'outputs' | 'outcome'> & { timedOut: boolean }> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        // Descriptor 3 carries the seccomp program to bwrap (`--seccomp 3`).
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        detached: true,
        env: {},
      });
      const filter = child.stdio[SECCOMP_FD] as Writable | null;
      filter?.on('error', () => undefined);
      filter?.end(seccomp);
      const watchdog = new SessionWatchdog({
        // The cgroup holds every process of the session, even one that left bwrap's process group.
        kill: () => {
          const all = cgroup?.killAll();
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
          return all;
        },
        timeoutMs: spec.limits.timeoutSec * 1000,
        signal: spec.signal,
        onStdout: spec.onStdout,
      });
      child.stdout.on('data', watchdog.stdout);
      child.stderr.on('data', watchdog.stderr);
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin ?? '');
      child.on('error', (e) => {
        watchdog.finish();
        reject(e);
      });
      child.on('close', (code, signal) => {
        resolve({
          exitCode: code ?? (signal ? 128 + signalNumber(signal) : null),
          ...watchdog.finish(),
          durationMs: Date.now() - started,
        });
      });
    });
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 0;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}
