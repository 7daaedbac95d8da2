import * as fs from 'fs';
import {
  embeddedS3Endpoint,
  embeddedTemporalAddress,
  s3Where,
  temporalAddress,
  temporalEmbedded,
  type Config,
} from '../config';
import { ensureRootfs, ensureSandboxImage } from '../sandbox';
import { dockerClient, dockerHealthy, dockerProcess, dockerUnavailableReason, startDocker } from './docker';
import { stateLayout } from './layout';
import { isPortOpen, runningPid, stopService, type ManagedProcess } from './processes';
import { s3Healthy, s3Process, startS3 } from './s3';
import { ensureSearchAttributes, startTemporal, temporalHealthy, temporalProcess } from './temporal';

type Log = (msg: string) => void;

export interface ServiceStatus {
  name: string;
  running: boolean;
  pid?: number;
  endpoint?: string;
  note?: string;
  /** Configured to use a service this project does not run (temporal.address, s3.embedded false). */
  external?: boolean;
}

/** A user-facing failure of the stack (port taken, missing tool): printed as one message. */
export class StackError extends Error {
  override name = 'StackError';
}

interface Service {
  process: ManagedProcess;
  /** false: the config names a service run elsewhere; `dev up` leaves it alone. */
  embedded: boolean;
  /** Where clients reach the service the config uses (the embedded one or the external one). */
  uses: string;
  ports: number[];
  endpoint: string;
  healthy: () => Promise<boolean>;
  start: () => Promise<void>;
}

function services(c: Config, log: Log): Service[] {
  return [
    {
      process: temporalProcess(c),
      embedded: temporalEmbedded(c),
      uses: `${temporalAddress(c)} namespace ${c.temporal.namespace}`,
      ports: [c.temporal.port, c.temporal.uiPort],
      endpoint: `${embeddedTemporalAddress(c)} (UI http://${c.host}:${c.temporal.uiPort})`,
      healthy: () => temporalHealthy(c),
      start: () => startTemporal(c, log),
    },
    {
      process: s3Process(c),
      embedded: c.s3.embedded,
      uses: `${s3Where(c)} bucket ${c.s3.bucket}`,
      ports: [c.s3.port],
      endpoint: `${embeddedS3Endpoint(c)} bucket ${c.s3.bucket}`,
      healthy: () => s3Healthy(c),
      start: () => startS3(c),
    },
  ];
}

function wantDocker(c: Config): { want: boolean; reason?: string } {
  if (c.docker.mode === 'off' || c.sandbox.backend === 'bubblewrap')
    return { want: false, reason: 'disabled by config' };
  const reason = dockerUnavailableReason();
  if (reason && c.docker.mode === 'on') throw new StackError(`docker.mode is "on" but ${reason}`);
  return reason ? { want: false, reason } : { want: true };
}

async function upOne(s: Service, log: Log): Promise<void> {
  if (!s.embedded) {
    log(`${s.process.name}: external, not started (${s.uses})`);
    return;
  }
  const pid = runningPid(s.process);
  if (pid !== undefined) {
    if (await s.healthy().catch(() => false)) {
      log(`${s.process.name}: already running (pid ${pid})`);
      return;
    }
    throw new StackError(
      `${s.process.name} (pid ${pid}) is running but not healthy; run \`hyperagents dev down\``,
    );
  }
  for (const port of s.ports) {
    if (await isPortOpen('127.0.0.1', port)) {
      throw new StackError(
        `${s.process.name}: port ${port} is already in use by a process hyperagents did not start; ` +
          'stop it or choose another port (see README, Configuration)',
      );
    }
  }
  log(`${s.process.name}: starting`);
  await s.start();
  log(`${s.process.name}: ready at ${s.endpoint}`);
}

/**
 * Brings the embedded stack up; what is already running and healthy is left alone, and a service
 * the config names elsewhere (temporal.address, s3.embedded false) is neither started nor needed.
 */
export async function up(c: Config, log: Log): Promise<{ sandboxBackend: 'docker' | 'bubblewrap' }> {
  const l = stateLayout(c);
  fs.mkdirSync(l.run, { recursive: true });
  for (const s of services(c, log)) await upOne(s, log);
  if (temporalEmbedded(c)) {
    const added = await ensureSearchAttributes(c);
    if (added.length > 0) log(`temporal: registered search attributes ${added.join(', ')}`);
  }
  const docker = wantDocker(c);
  let backend: 'docker' | 'bubblewrap' = 'bubblewrap';
  if (docker.want) {
    const pid = runningPid(dockerProcess(c));
    if (pid !== undefined && (await dockerHealthy(c).catch(() => false))) {
      log(`docker: already running (pid ${pid})`);
    } else {
      if (pid !== undefined) await stopService(dockerProcess(c));
      log('docker: starting dockerd');
      await startDocker(c);
      log(`docker: ready at unix://${l.dockerSocket}`);
    }
    const tag = await ensureSandboxImage(dockerClient(c), l.sandboxRoot);
    log(`sandbox: image ${tag}`);
    backend = 'docker';
  } else {
    log(`docker: not used (${docker.reason}); sandbox backend is bubblewrap`);
    const { dir } = ensureRootfs(l.sandboxRoot);
    log(`sandbox: rootfs ${dir}`);
  }
  fs.writeFileSync(l.backendFile, JSON.stringify({ backend }) + '\n');
  return { sandboxBackend: backend };
}

/** Stops only what this state folder's PID files say we started. */
export async function down(c: Config, log: Log): Promise<void> {
  const all = [
    dockerProcess(c),
    ...services(c, log)
      .map((s) => s.process)
      .reverse(),
  ];
  for (const p of all) {
    const stopped = await stopService(p);
    log(`${p.name}: ${stopped ? 'stopped' : 'not running'}`);
  }
  fs.rmSync(stateLayout(c).backendFile, { force: true });
}

export async function status(c: Config): Promise<ServiceStatus[]> {
  const out: ServiceStatus[] = [];
  for (const s of services(c, () => undefined)) {
    const pid = runningPid(s.process);
    if (s.embedded) out.push({ name: s.process.name, running: pid !== undefined, pid, endpoint: s.endpoint });
    else {
      const note = pid === undefined ? 'external' : `external; an embedded one still runs (pid ${pid})`;
      out.push({ name: s.process.name, running: false, external: true, endpoint: s.uses, note });
    }
  }
  const pid = runningPid(dockerProcess(c));
  out.push({
    name: 'docker',
    running: pid !== undefined,
    pid,
    endpoint: `unix://${stateLayout(c).dockerSocket}`,
    note: pid === undefined ? dockerUnavailableReason() : undefined,
  });
  return out;
}
