import { randomUUID } from 'crypto';
import { PassThrough } from 'stream';
import type Docker from 'dockerode';
import { AGENT_GID, AGENT_UID, SOCKET_DIR, WORK_DIR } from './rootfs';
import * as path from 'path';
import { OutputCollector, collectFromTar } from './copyOut';
import { classify, type Sandbox, type SandboxResult, type SandboxRunSpec } from './types';
import { safeRelative } from './workTar';
import { packFiles } from './workTar';

export const LABEL = 'io.hyperagents';
const OUTPUT_CAP = 8 * 1024 * 1024;

function collector(): { stream: PassThrough; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => {
    if (size < OUTPUT_CAP) chunks.push(c.subarray(0, OUTPUT_CAP - size));
    size += c.length;
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * One container per session from the locally built image. The program is copied into a fresh volume
 * (never a host bind mount); container and volume are removed whatever happens.
 */
export class DockerSandbox implements Sandbox {
  readonly backend = 'docker' as const;

  constructor(
    private readonly docker: Docker,
    private readonly image: string,
  ) {}

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    const id = `ha-${randomUUID().slice(0, 12)}`;
    const labels = { [LABEL]: 'sandbox', ...prefixed(spec.labels ?? {}) };
    const volume = await this.docker.createVolume({ Name: id, Labels: labels });
    let container: Docker.Container | undefined;
    const started = Date.now();
    try {
      const { limits } = spec;
      container = await this.docker.createContainer({
        name: id,
        Image: this.image,
        Cmd: spec.command,
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        User: `${AGENT_UID}:${AGENT_GID}`,
        WorkingDir: WORK_DIR,
        Labels: labels,
        OpenStdin: spec.stdin !== undefined,
        StdinOnce: spec.stdin !== undefined,
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          ReadonlyRootfs: true,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          Memory: limits.memoryMb * 1024 * 1024,
          MemorySwap: limits.memoryMb * 1024 * 1024,
          NanoCpus: Math.round(limits.cpus * 1e9),
          PidsLimit: limits.pids,
          Tmpfs: { '/tmp': `rw,noexec,nosuid,size=${limits.scratchMb}m` },
          Mounts: [
            { Type: 'volume', Source: volume.name, Target: WORK_DIR },
            ...(spec.socketDir
              ? [{ Type: 'bind' as const, Source: spec.socketDir, Target: SOCKET_DIR, ReadOnly: true }]
              : []),
          ],
        },
      });
      await container.putArchive(packFiles(spec.files) as unknown as NodeJS.ReadableStream, {
        path: WORK_DIR,
      });
      const out = collector();
      const err = collector();
      const attach = await container.attach({
        stream: true,
        stdout: true,
        stderr: true,
        stdin: spec.stdin !== undefined,
        hijack: true,
      });
      this.docker.modem.demuxStream(attach, out.stream, err.stream);
      await container.start();
      if (spec.stdin !== undefined) attach.end(spec.stdin);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        container?.kill().catch(() => undefined);
      }, limits.timeoutSec * 1000);
      const waited = (await container.wait()) as { StatusCode: number };
      clearTimeout(timer);
      const info = await container.inspect();
      const outputs = new OutputCollector();
      for (const o of spec.outputs ?? []) {
        const rel = safeRelative(o);
        const tar = await container.getArchive({ path: `${WORK_DIR}/${rel}` }).catch(() => undefined);
        if (!tar) outputs.skip(rel, 'missing');
        else
          await collectFromTar(tar, path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel), outputs);
      }
      return {
        outputs: outputs.result,
        outcome: classify(waited.StatusCode, timedOut, info.State.OOMKilled),
        exitCode: waited.StatusCode,
        stdout: out.text(),
        stderr: err.text(),
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
}

function prefixed(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${LABEL}.${k}`, v]));
}
