import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SessionCgroup } from './cgroup';
import { collectFromDir } from './copyOut';
import { sessionName } from './owner';
import { SOCKET_DIR, WORK_DIR } from './paths';
import { AGENT_GID, AGENT_UID } from './rootfs';
import { classify, type Sandbox, type SandboxLimits, type SandboxResult, type SandboxRunSpec } from './types';
import { SessionWatchdog } from './watchdog';
import { WorkArea } from './workArea';
import { safeRelative } from './workTar';

/** Joins the cgroups listed first (`n` files), then execs the rest: nothing runs before it is limited. */
const JOIN_CGROUPS =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

function bin(name: string): string | undefined {
  return ['/usr/bin', '/bin', '/usr/sbin', '/sbin']
    .map((d) => path.join(d, name))
    .find((p) => fs.existsSync(p));
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

/** How the session's limits are enforced: a cgroup, or (when none is writable) rlimits. */
function launcher(cgroup: SessionCgroup | undefined, limits: SandboxLimits): string[] {
  const prefix: string[] = [];
  if (cgroup)
    prefix.push(
      bin('sh')!,
      '-c',
      JOIN_CGROUPS,
      'ha-join',
      String(cgroup.procsFiles.length),
      ...cgroup.procsFiles,
    );
  // Drop to the agent user only after joining (joining needs root); bwrap then runs unprivileged and
  // its user namespace maps the agent to itself, so nothing inside is root on the host.
  if (asRoot()) {
    prefix.push(bin('setpriv')!, '--reuid', String(AGENT_UID), '--regid', String(AGENT_GID));
    prefix.push('--clear-groups', '--no-new-privs');
  }
  const prlimit = bin('prlimit');
  if (!cgroup && prlimit) {
    // Fallback: per-process data size, CPU seconds, file size; the process count is per user.
    prefix.push(
      prlimit,
      `--data=${limits.memoryMb * 1024 * 1024}`,
      `--nproc=${limits.pids}`,
      `--cpu=${Math.ceil(limits.timeoutSec * limits.cpus) + 1}`,
      `--fsize=${limits.scratchMb * 1024 * 1024}`,
      '--core=0',
      '--',
    );
  }
  return prefix;
}

/**
 * The fallback where Docker cannot run: bubblewrap with every namespace unshared (so only `lo`
 * exists), the rootfs read-only, a private size-capped /work holding a copy of the program, no
 * capabilities, no further user namespaces, and a per-session cgroup for memory, pids and CPU.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;

  constructor(private readonly rootfsDir: string) {}

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    // Refuse bad names before anything is created on the host.
    const files = Object.entries(spec.files).map(([name, content]) => [safeRelative(name), content] as const);
    const session = sessionName();
    const area = WorkArea.create(session, spec.limits.scratchMb);
    let cgroup: SessionCgroup | undefined;
    const started = Date.now();
    try {
      for (const [name, content] of files) {
        const dest = path.join(area.dir, name);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, content);
      }
      if (asRoot()) for (const f of [area.dir, ...walk(area.dir)]) fs.lchownSync(f, AGENT_UID, AGENT_GID);
      cgroup = asRoot() ? SessionCgroup.create(session, spec.limits) : undefined;
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
        '--dev',
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
        '--clearenv',
        ...Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['--setenv', k, v]),
        '--',
        ...spec.command,
      ];
      const result = await this.exec(args, spec, started, cgroup);
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
      area.remove();
    }
  }

  private exec(
    argv: string[],
    spec: SandboxRunSpec,
    started: number,
    cgroup: SessionCgroup | undefined,
  ): Promise<Omit<SandboxResult, 'outputs' | 'outcome'> & { timedOut: boolean }> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env: {},
      });
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
