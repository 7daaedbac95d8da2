import { PassThrough } from 'stream';
import * as path from 'path';
import type Docker from 'dockerode';
import { OutputCollector, collectFromTar } from './copyOut';
import { closeSession, currentWorker, hostName, openSession } from './owner';
import { SOCKET_DIR, WORK_DIR } from './paths';
import { AGENT_GID, AGENT_UID } from './rootfs';
import { OPEN_FILES_LIMIT, dockerSeccompProfile } from './seccompPolicy';
import { classify, type Sandbox, type SandboxLimits, type SandboxResult, type SandboxRunSpec } from './types';
import { SessionWatchdog, type WatchdogReport } from './watchdog';
import { packFiles, safeRelative } from './workTar';

export const LABEL = 'io.hyperagents';
/** Label keys the janitor reads: which worker (boot/pid/start token) on which host made a resource. */
export const WORKER_LABEL = `${LABEL}.worker`;
export const HOST_LABEL = `${LABEL}.host`;

/** Exit status of a process killed by SIGKILL, which is how the OOM killer ends one. */
const SIGKILLED = 137;

/**
 * The container's first process only holds it open; the program runs as an exec in it. /work is a
 * size-capped tmpfs volume, and such a volume keeps its content only while a container holds it
 * mounted, so files go in after start and come out before the container stops. It is a bounded
 * sleep, not a loop: a container whose worker died (nobody left to kill it) stops by itself
 * `holdSlackSec` after the session's time limit, and the janitor's sweep removes it.
 */
const holdOpen = (seconds: number) => ['/bin/sleep', String(seconds)];

/** Time past the session's time limit for copying files in and out (the watchdog kills at the limit). */
export const HOLD_SLACK_SEC = 60;

export interface DockerSandboxOptions {
  /** How long the container outlives the session's time limit if nobody stops it (default 60 s). */
  holdSlackSec?: number;
}

/** What a session's container is made with: everything the sandbox enforces is in here. */
export function sessionContainerOptions(o: {
  name: string;
  image: string;
  labels: Record<string, string>;
  limits: SandboxLimits;
  volume: string;
  socketDir?: string;
  holdSlackSec?: number;
}): Docker.ContainerCreateOptions {
  const { limits } = o;
  return {
    name: o.name,
    Image: o.image,
    Entrypoint: holdOpen(Math.ceil(limits.timeoutSec) + (o.holdSlackSec ?? HOLD_SLACK_SEC)),
    User: `${AGENT_UID}:${AGENT_GID}`,
    WorkingDir: WORK_DIR,
    Labels: o.labels,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      LogConfig: { Type: 'none', Config: {} },
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges', `seccomp=${dockerSeccompProfile()}`],
      Memory: limits.memoryMb * 1024 * 1024,
      MemorySwap: limits.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pids,
      Ulimits: [
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'nofile', Soft: OPEN_FILES_LIMIT, Hard: OPEN_FILES_LIMIT },
      ],
      Tmpfs: { '/tmp': `rw,noexec,nosuid,size=${limits.scratchMb}m` },
      // /dev/shm is a tmpfs too (64 MiB by default): capped like the other scratch space.
      ShmSize: limits.scratchMb * 1024 * 1024,
      Mounts: [
        { Type: 'volume', Source: o.volume, Target: WORK_DIR },
        ...(o.socketDir
          ? [{ Type: 'bind' as const, Source: o.socketDir, Target: SOCKET_DIR, ReadOnly: true }]
          : []),
      ],
    },
  };
}

function sink(write: (chunk: Buffer) => void): PassThrough {
  const stream = new PassThrough();
  stream.on('data', write);
  return stream;
}

/**
 * One container per session from the locally built image. The program is copied into a fresh tmpfs
 * volume (never a host bind mount); container and volume are removed whatever happens. Output goes
 * only through the attach stream (log driver `none`), so nothing the program prints is stored.
 */
export class DockerSandbox implements Sandbox {
  readonly backend = 'docker' as const;

  constructor(
    private readonly docker: Docker,
    private readonly image: string,
    private readonly options: DockerSandboxOptions = {},
  ) {}

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    const tar = packFiles(spec.files); // refuses bad names before anything is created
    const id = openSession();
    const labels = {
      [LABEL]: 'sandbox',
      [WORKER_LABEL]: currentWorker(),
      [HOST_LABEL]: hostName(),
      ...prefixed(spec.labels ?? {}),
    };
    try {
      return await this.runSession(id, labels, tar, spec);
    } finally {
      closeSession(id);
    }
  }

  private async runSession(
    id: string,
    labels: Record<string, string>,
    tar: ReturnType<typeof packFiles>,
    spec: SandboxRunSpec,
  ): Promise<SandboxResult> {
    const { limits } = spec;
    const volume = await this.docker.createVolume({
      Name: id,
      Labels: labels,
      Driver: 'local',
      DriverOpts: {
        type: 'tmpfs',
        device: 'tmpfs',
        o: `size=${limits.scratchMb}m,uid=${AGENT_UID},gid=${AGENT_GID},mode=0755,nosuid,nodev`,
      },
    });
    let container: Docker.Container | undefined;
    const started = Date.now();
    try {
      container = await this.docker.createContainer(
        sessionContainerOptions({
          name: id,
          image: this.image,
          labels,
          limits,
          volume: volume.name,
          socketDir: spec.socketDir,
          holdSlackSec: this.options.holdSlackSec,
        }),
      );
      await container.start();
      await container.putArchive(tar as unknown as NodeJS.ReadableStream, { path: WORK_DIR });
      const ran = await this.exec(container, spec);
      const oom =
        ran.exitCode === SIGKILLED && !ran.timedOut && !ran.violation && (await this.sawOom(id, started));
      return {
        outputs: await this.copyOut(container, spec.outputs ?? []),
        outcome: classify(ran.exitCode, ran.timedOut, oom, ran.violation),
        ...(ran.violation ? { violation: ran.violation } : {}),
        exitCode: ran.exitCode,
        stdout: ran.stdout,
        stderr: ran.stderr,
        durationMs: Date.now() - started,
      };
    } finally {
      await container?.remove({ force: true, v: true }).catch(() => undefined);
      await this.docker
        .getVolume(volume.name)
        .remove()
        .catch(() => undefined);
    }
  }

  /** Runs the program in the held-open container; a timeout or the output cap kills the container. */
  private async exec(container: Docker.Container, spec: SandboxRunSpec) {
    const withStdin = spec.stdin !== undefined;
    const exec = await container.exec({
      Cmd: spec.command,
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      User: `${AGENT_UID}:${AGENT_GID}`,
      WorkingDir: WORK_DIR,
      AttachStdin: withStdin,
      AttachStdout: true,
      AttachStderr: true,
    });
    const watchdog = new SessionWatchdog({
      kill: () => container.kill(),
      timeoutMs: spec.limits.timeoutSec * 1000,
      signal: spec.signal,
      onStdout: spec.onStdout,
    });
    let exitCode: number | null;
    let report: WatchdogReport;
    try {
      const stream = await exec.start({ hijack: true, stdin: withStdin });
      this.docker.modem.demuxStream(stream, sink(watchdog.stdout), sink(watchdog.stderr));
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      if (withStdin) stream.end(spec.stdin);
      await ended;
      const inspected = await exec.inspect();
      exitCode = inspected.Running ? null : inspected.ExitCode;
    } finally {
      report = watchdog.finish();
    }
    return { exitCode, ...report };
  }

  /**
   * Whether the engine reported an OOM kill in the container since the session started. `OOMKilled`
   * in inspect covers only the container's first process, not an exec, so the event log is asked.
   */
  private async sawOom(container: string, since: number): Promise<boolean> {
    const events = await this.docker.getEvents({
      since: Math.floor(since / 1000),
      until: Math.ceil(Date.now() / 1000),
      filters: JSON.stringify({ container: [container], event: ['oom'] }),
    });
    let text = '';
    for await (const chunk of events) text += String(chunk);
    return text.includes('"oom"');
  }

  private async copyOut(container: Docker.Container, outputs: string[]): Promise<SandboxResult['outputs']> {
    const collected = new OutputCollector();
    for (const o of outputs) {
      const rel = safeRelative(o);
      const tar = await container.getArchive({ path: `${WORK_DIR}/${rel}` }).catch(() => undefined);
      if (!tar) collected.skip(rel, 'missing');
      else
        await collectFromTar(tar, path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel), collected);
    }
    return collected.result;
  }
}

function prefixed(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${LABEL}.${k}`, v]));
}
