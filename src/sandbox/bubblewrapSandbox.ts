import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AGENT_GID, AGENT_UID, SOCKET_DIR, WORK_DIR } from './rootfs';
import { collectFromDir } from './copyOut';
import { classify, type Sandbox, type SandboxResult, type SandboxRunSpec } from './types';
import { safeRelative } from './workTar';

const OUTPUT_CAP = 8 * 1024 * 1024;

/**
 * The fallback where Docker cannot run: bubblewrap with every namespace unshared (so only `lo`
 * exists), the rootfs read-only, a private copy of the program as /work, no capabilities.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly backend = 'bubblewrap' as const;

  constructor(private readonly rootfsDir: string) {}

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-bwrap-'));
    const started = Date.now();
    try {
      for (const [name, content] of Object.entries(spec.files)) {
        const dest = path.join(work, safeRelative(name));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, content);
      }
      if (asRoot()) for (const f of [work, ...walk(work)]) fs.chownSync(f, AGENT_UID, AGENT_GID);
      const args = [
        '--unshare-all',
        '--die-with-parent',
        '--new-session',
        '--ro-bind',
        this.rootfsDir,
        '/',
        '--proc',
        '/proc',
        '--dev',
        '/dev',
        '--tmpfs',
        '/tmp',
        '--bind',
        work,
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
      const result = await this.exec(args, spec, started);
      return { ...result, outputs: collectFromDir(work, spec.outputs ?? []) };
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  private exec(
    args: string[],
    spec: SandboxRunSpec,
    started: number,
  ): Promise<Omit<SandboxResult, 'outputs'>> {
    return new Promise((resolve, reject) => {
      // bwrap itself runs unprivileged (as the agent user when we are root): its user namespace then
      // maps the agent to itself, so nothing inside is root on the host.
      const identity = asRoot() ? { uid: AGENT_UID, gid: AGENT_GID } : {};
      const child = spawn('bwrap', args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env: {},
        ...identity,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const cap = (sink: Buffer[]) => (c: Buffer) => {
        if (sink.reduce((n, b) => n + b.length, 0) < OUTPUT_CAP) sink.push(c);
      };
      child.stdout.on('data', cap(out));
      child.stderr.on('data', cap(err));
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin ?? '');
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      }, spec.limits.timeoutSec * 1000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({
          outcome: classify(code, timedOut, false),
          exitCode: code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: Date.now() - started,
        });
      });
    });
  }
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}
