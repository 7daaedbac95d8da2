import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type Docker from 'dockerode';
import { SessionCgroup } from './cgroup';
import { HOST_LABEL, LABEL, WORKER_LABEL } from './dockerSandbox';
import { hostName, ownerOfSession, sessionLeftOver } from './owner';
import { WORK_AREA_PREFIX, WorkArea } from './workArea';

export interface SweepOptions {
  /** Also remove resources this old whatever their owner (another host's, or unlabelled ones). */
  olderThanMs?: number;
  /** Where bubblewrap work areas live (default: the OS temp folder). */
  tmpDir?: string;
  /** cgroup mount point (default /sys/fs/cgroup). */
  cgroupRoot?: string;
}

export interface SweepReport {
  containers: string[];
  volumes: string[];
  workAreas: string[];
  cgroups: string[];
}

/**
 * Whether a labelled resource (named after its session) is a leftover: its worker ran on this host
 * and is dead, or is this process and the session has ended; or it is older than `olderThanMs`. A
 * running session's resource is never touched.
 */
function isLeftover(
  name: string,
  labels: Record<string, string> | undefined,
  createdMs: number,
  o: SweepOptions,
): boolean {
  const worker = labels?.[WORKER_LABEL];
  const sameHost = labels?.[HOST_LABEL] === hostName();
  if (worker && sameHost) return sessionLeftOver(name, worker);
  return o.olderThanMs !== undefined && Date.now() - createdMs >= o.olderThanMs;
}

/** Removes containers and volumes labelled `io.hyperagents` that belong to no running session. */
export async function sweepDocker(
  docker: Docker,
  o: SweepOptions = {},
): Promise<Pick<SweepReport, 'containers' | 'volumes'>> {
  const containers: string[] = [];
  const volumes: string[] = [];
  const filters = JSON.stringify({ label: [LABEL] });
  for (const c of await docker.listContainers({ all: true, filters })) {
    const name = c.Names[0]?.replace(/^\//, '') ?? c.Id;
    if (!isLeftover(name, c.Labels, c.Created * 1000, o)) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .then(() => containers.push(name))
      .catch(() => undefined);
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const v of Volumes ?? []) {
    const created = Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '') || 0;
    if (!isLeftover(v.Name, v.Labels ?? undefined, created, o)) continue;
    await docker
      .getVolume(v.Name)
      .remove({ force: true })
      .then(() => volumes.push(v.Name))
      .catch(() => undefined); // still in use by a container that could not be removed
  }
  return { containers, volumes };
}

function deadSession(name: string): boolean {
  const owner = ownerOfSession(name);
  return owner !== undefined && sessionLeftOver(name, owner);
}

/**
 * Whether a temp-folder entry is a work area this process may remove: named after a session of a dead
 * worker, a real folder (never a symlink, which would be followed), and owned by this process's uid
 * (anyone can plant an `ha-bwrap-*` name in a shared temp folder; as root the janitor would delete it).
 */
function removableWorkArea(tmp: string, entry: string): boolean {
  if (!entry.startsWith(WORK_AREA_PREFIX) || !deadSession(entry.slice(WORK_AREA_PREFIX.length))) return false;
  try {
    const st = fs.lstatSync(path.join(tmp, entry));
    return st.isDirectory() && st.uid === process.getuid?.();
  } catch {
    return false;
  }
}

/** Kills processes of, and removes, bubblewrap cgroups and work areas of no running session. */
export async function sweepBubblewrap(
  o: SweepOptions = {},
): Promise<Pick<SweepReport, 'workAreas' | 'cgroups'>> {
  const cgroups: string[] = [];
  for (const name of SessionCgroup.list(o.cgroupRoot)) {
    if (deadSession(name) && (await SessionCgroup.open(name, o.cgroupRoot).remove())) cgroups.push(name);
  }
  const workAreas: string[] = [];
  const tmp = o.tmpDir ?? os.tmpdir();
  for (const entry of fs.readdirSync(tmp)) {
    if (!removableWorkArea(tmp, entry)) continue;
    try {
      WorkArea.open(path.join(tmp, entry)).remove();
      workAreas.push(entry);
    } catch {
      // Left for the next sweep.
    }
  }
  return { cgroups, workAreas };
}

/**
 * Call once at worker start, before polling: removes every sandbox resource (containers, volumes,
 * bubblewrap cgroups and work folders) of no running session. `docker` may be undefined
 * where the engine is not used.
 */
export async function sweepLeftovers(docker: Docker | undefined, o: SweepOptions = {}): Promise<SweepReport> {
  const fromDocker = docker ? await sweepDocker(docker, o) : { containers: [], volumes: [] };
  return { ...fromDocker, ...(await sweepBubblewrap(o)) };
}

export interface PeriodicSweepOptions extends SweepOptions {
  /** Time between two sweeps. */
  intervalMs: number;
  /** Sees each sweep's report (e.g. to log what was removed). */
  onSweep?: (report: SweepReport) => void;
  /** Sees a sweep that failed; the next one runs on schedule. */
  onError?: (e: Error) => void;
}

export interface PeriodicSweep {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `sweepLeftovers` every `intervalMs` while a worker runs, so what a worker that died left
 * (containers, volumes, cgroups, work folders) is removed without waiting for a worker to start, and
 * so is what this worker's own sessions could not remove when they ended (dockerd was down then). It
 * never touches a running session's resources. Sweeps never overlap, and the
 * timer does not keep the process alive.
 */
export function startPeriodicSweep(docker: Docker | undefined, o: PeriodicSweepOptions): PeriodicSweep {
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = sweepLeftovers(docker, o)
      .then(
        (report) => o.onSweep?.(report),
        (e: unknown) => o.onError?.(e instanceof Error ? e : new Error(String(e))),
      )
      .finally(() => {
        running = undefined;
      });
  }, o.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
