import * as fs from 'fs';
import * as path from 'path';
import Docker from 'dockerode';
import type { Config } from '../config';
import { stateLayout } from './layout';
import { spawnService, waitUntil, type ManagedProcess } from './processes';

export function dockerProcess(c: Config): ManagedProcess {
  const l = stateLayout(c);
  return { name: 'docker', pidFile: path.join(l.run, 'dockerd.pid'), marker: l.dockerRoot };
}

export function dockerClient(c: Config): Docker {
  return new Docker({ socketPath: stateLayout(c).dockerSocket });
}

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    const p = path.join(dir, bin);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** Why dockerd cannot run here, or undefined when it can be tried. */
export function dockerUnavailableReason(): string | undefined {
  if (!which('dockerd')) return 'dockerd is not installed (Debian package docker.io)';
  if (process.getuid?.() !== 0) return 'dockerd needs root and this process is not root';
  if (!fs.existsSync('/sys/fs/cgroup')) return 'no cgroup filesystem at /sys/fs/cgroup';
  return undefined;
}

export async function dockerHealthy(c: Config): Promise<boolean> {
  if (!fs.existsSync(stateLayout(c).dockerSocket)) return false;
  await dockerClient(c).ping();
  return true;
}

/**
 * Starts a private dockerd with its data, exec root and socket under the state folder. No bridge and
 * no iptables rules: sandboxes only ever use network "none", and the host's firewall stays untouched.
 */
export async function startDocker(c: Config): Promise<void> {
  const l = stateLayout(c);
  for (const dir of [l.dockerRoot, l.dockerExec]) fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(l.dockerSocket, { force: true });
  const logFile = path.join(l.logs, 'dockerd.log');
  const p = dockerProcess(c);
  spawnService(
    p,
    which('dockerd')!,
    [
      '--data-root',
      l.dockerRoot,
      '--exec-root',
      l.dockerExec,
      '--host',
      `unix://${l.dockerSocket}`,
      '--pidfile',
      path.join(l.run, 'dockerd.self.pid'),
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--userland-proxy=false',
    ],
    logFile,
  );
  await waitUntil('Docker engine', () => dockerHealthy(c), 60_000, logFile);
}
