import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';

/**
 * Who created a sandbox resource, so a janitor can tell leftovers of a dead worker from sessions of a
 * live one. A pid alone is not enough (pids are reused, and a reboot restarts them): the token is the
 * boot id, the pid and the process start time, which together name one process for ever.
 */
export interface WorkerToken {
  boot: string;
  pid: number;
  start: string;
}

const TOKEN = /^([0-9a-f]{8})-(\d+)-(\d+)$/;

function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 8);
  } catch {
    return '00000000';
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), if it exists. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function formatToken(t: WorkerToken): string {
  return `${t.boot}-${t.pid}-${t.start}`;
}

export function parseToken(s: string): WorkerToken | undefined {
  const m = TOKEN.exec(s);
  return m ? { boot: m[1]!, pid: Number(m[2]), start: m[3]! } : undefined;
}

/** This process's token, in the form used in labels and in names (safe in paths). */
export function currentWorker(): string {
  return formatToken({ boot: bootId(), pid: process.pid, start: startTime(process.pid) ?? '0' });
}

/** Whether the worker that wrote this token (on this host) is still running. */
export function workerAlive(token: string): boolean {
  const t = parseToken(token);
  if (!t || t.boot !== bootId()) return false;
  return startTime(t.pid) === t.start;
}

/** This process's sessions from `openSession` until `closeSession`. */
const openSessions = new Set<string>();

/**
 * A fresh session name that embeds the owning worker, `ha-<boot>-<pid>-<start>-<random>`, counted as
 * open until `closeSession`. The janitor removes what this live process made for a session that is
 * no longer open: what a session could not remove itself (dockerd was down when it ended).
 */
export function openSession(): string {
  const name = `ha-${currentWorker()}-${randomBytes(4).toString('hex')}`;
  openSessions.add(name);
  return name;
}

/** The session's own clean-up is done (whether or not it could remove everything). */
export function closeSession(name: string): void {
  openSessions.delete(name);
}

/**
 * Whether a resource of session `name`, made by worker `owner` on this host, is left over: its
 * worker is dead, or its worker is this process and the session has ended.
 */
export function sessionLeftOver(name: string, owner: string): boolean {
  return owner === currentWorker() ? !openSessions.has(name) : !workerAlive(owner);
}

/** The worker token inside a session name, if it is one. */
export function ownerOfSession(name: string): string | undefined {
  const m = /^ha-([0-9a-f]{8}-\d+-\d+)-[0-9a-f]{8}$/.exec(name);
  return m?.[1];
}

export function hostName(): string {
  return os.hostname();
}
