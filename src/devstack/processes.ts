import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** A service process we started, found again by its PID file and a marker in its command line. */
export interface ManagedProcess {
  name: string;
  pidFile: string;
  /** A string that must appear in /proc/<pid>/cmdline for the PID to count as ours (PIDs get reused). */
  marker: string;
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** The live PID of a managed process, or undefined when it is not running (stale PID files are ignored). */
export function runningPid(p: ManagedProcess): number | undefined {
  const pid = readPid(p.pidFile);
  if (pid === undefined) return undefined;
  const cmd = cmdline(pid);
  if (cmd === undefined || !cmd.includes(p.marker)) return undefined;
  if (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z') return undefined;
  return pid;
}

export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it resolves true; throws with `what` and the log's tail on timeout. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  const tail =
    logFile && fs.existsSync(logFile) ? `\n--- last lines of ${logFile} ---\n${tailOf(logFile)}` : '';
  throw new Error(`${what} did not become healthy within ${Math.round(timeoutMs / 1000)} s${tail}`);
}

export function tailOf(file: string, lines = 15): string {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The whole environment of a service process: PATH, HOME and the temp folder of this one, plus the
 * service's own settings. Never this process's other variables, which may hold the LLM API key or
 * cloud credentials.
 */
export function serviceEnv(own: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME || '/',
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return { ...env, ...own };
}

/**
 * Starts a long-lived service detached from this process, logging to a file and recording its PID.
 * Its environment is `env` alone (see serviceEnv), nothing inherited.
 */
export function spawnService(
  p: ManagedProcess,
  command: string,
  args: string[],
  logFile: string,
  env: Record<string, string> = serviceEnv(),
): number {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.mkdirSync(path.dirname(p.pidFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], env });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`${p.name}: could not start ${command}`);
  child.unref();
  fs.writeFileSync(p.pidFile, `${child.pid}\n`);
  return child.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after a grace period; removes the PID file. Returns whether it was running. */
export async function stopService(p: ManagedProcess, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(p);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(50);
  }
  fs.rmSync(p.pidFile, { force: true });
  return pid !== undefined;
}
