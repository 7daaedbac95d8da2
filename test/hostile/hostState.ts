import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type Docker from 'dockerode';
import { AGENT_UID, currentWorker } from '../../src/sandbox';

/** What a sandbox session of this test process can leave on the host, each as a list of names. */
export interface HostState {
  containers: string[];
  volumes: string[];
  mounts: string[];
  cgroups: string[];
  tmpEntries: string[];
  /** Processes of the agent user that are in no sandbox's cgroup (escaped ones), as `pid cmdline`. */
  strayProcesses: string[];
}

/** Every session name of this worker starts with this (see src/sandbox/owner.ts). */
const ourTag = () => `ha-${currentWorker()}-`;

function agentProcesses(): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(uid) !== AGENT_UID) continue;
      // A zombie has already exited and holds no resources; it only waits for a parent to reap it
      // (this VM's init reaps late), so it is not an escape.
      if (/^State:\s+Z/m.test(status)) continue;
      // Inside a container or a session cgroup it is some live session's (removing that session kills
      // it, and the session itself is checked): only a process outside both has escaped.
      const cgroup = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (/\/docker\/|\/hyperagents\//.test(cgroup)) continue;
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push(`${pid} ${cmd}`);
    } catch {
      // Exited while we looked.
    }
  }
  return out.sort();
}

function cgroupSessions(): string[] {
  const root = '/sys/fs/cgroup';
  const parents = fs.existsSync(path.join(root, 'cgroup.controllers'))
    ? [path.join(root, 'hyperagents')]
    : fs.readdirSync(root).map((c) => path.join(root, c, 'hyperagents'));
  return parents.flatMap((p) => (fs.existsSync(p) ? fs.readdirSync(p).map((n) => `${p}/${n}`) : []));
}

export async function hostState(docker: Docker): Promise<HostState> {
  const tag = ourTag();
  const mine = (names: string[]) => names.filter((n) => n.includes(tag)).sort();
  const containers = (await docker.listContainers({ all: true })).flatMap((c) => c.Names);
  const volumes = ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name);
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '');
  return {
    containers: mine(containers),
    volumes: mine(volumes),
    mounts: mine(mounts),
    cgroups: mine(cgroupSessions()),
    tmpEntries: mine(fs.readdirSync(os.tmpdir())),
    strayProcesses: agentProcesses(),
  };
}

const empty = (): HostState => ({
  containers: [],
  volumes: [],
  mounts: [],
  cgroups: [],
  tmpEntries: [],
  strayProcesses: [],
});

/**
 * What is on the host now and was not before. Sessions clean up before `run` returns, so this
 * gives the host only a short grace for the kernel to reap killed processes.
 */
export async function leftSince(docker: Docker, before: HostState): Promise<HostState> {
  let diff = empty();
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = await hostState(docker);
    diff = empty();
    for (const k of Object.keys(diff) as Array<keyof HostState>) {
      diff[k] = now[k].filter((x) => !before[k].includes(x));
    }
    if ((Object.keys(diff) as Array<keyof HostState>).every((k) => diff[k].length === 0)) return diff;
    await new Promise((r) => setTimeout(r, 200));
  }
  return diff;
}

export { empty as cleanHost };
