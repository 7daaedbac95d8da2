/**
 * A second embedded stack for the faults that take a service down (Temporal, S3, dockerd, the disk):
 * its own state folder, on a tmpfs of a fixed size so the disk can be filled, and its own ports, so
 * the stack the rest of the suite (and anything else on the machine) uses is never touched.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, type LoadedConfig } from '../../src/config';
import { down, up } from '../../src/devstack';
import { dockerProcess, startDocker } from '../../src/devstack/docker';
import { runningPid, stopService, type ManagedProcess } from '../../src/devstack/processes';
import { s3Process, startS3 } from '../../src/devstack/s3';
import { startTemporal, temporalProcess } from '../../src/devstack/temporal';

export type Service = 'temporal' | 's3' | 'docker';

export class PrivateStack {
  private constructor(
    readonly stateDir: string,
    readonly env: Record<string, string>,
    readonly config: LoadedConfig,
  ) {}

  /** Mounts a tmpfs of `sizeMb` as the state folder and brings the stack up on ports `base`…`base+2`. */
  static async up(base: number, sizeMb: number): Promise<PrivateStack> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-faults-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', stateDir]);
    const env = {
      HYPERAGENTS_STATE_DIR: stateDir,
      HYPERAGENTS_TEMPORAL_PORT: String(base),
      HYPERAGENTS_TEMPORAL_UI_PORT: String(base + 1),
      HYPERAGENTS_S3_PORT: String(base + 2),
      HYPERAGENTS_DOCKER: 'on',
    };
    const stack = new PrivateStack(stateDir, env, loadConfig({ env: { ...process.env, ...env } }));
    try {
      await up(stack.config, () => undefined);
    } catch (e) {
      await stack.down();
      throw e;
    }
    return stack;
  }

  private process(s: Service): ManagedProcess {
    if (s === 'temporal') return temporalProcess(this.config);
    if (s === 's3') return s3Process(this.config);
    return dockerProcess(this.config);
  }

  pid(s: Service): number | undefined {
    return runningPid(this.process(s));
  }

  /** SIGKILL: the service dies as with a crash or an OOM kill (its files stay as they are). */
  async kill(s: Service): Promise<void> {
    const pid = this.pid(s);
    if (pid === undefined) throw new Error(`${s} is not running`);
    process.kill(pid, 'SIGKILL');
    while (fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')))
      await new Promise((r) => setTimeout(r, 50));
    fs.rmSync(this.process(s).pidFile, { force: true });
  }

  /** SIGTERM and wait, as `systemctl stop` does (dockerd stops its containers on the way out). */
  async stop(s: Service): Promise<void> {
    await stopService(this.process(s));
  }

  /** Starts the service again on the same files. */
  async start(s: Service): Promise<void> {
    if (s === 'temporal') await startTemporal(this.config, () => undefined);
    else if (s === 's3') await startS3(this.config);
    else await startDocker(this.config);
  }

  /** Bytes free on the state folder's file system. */
  freeBytes(): number {
    const st = fs.statfsSync(this.stateDir);
    return st.bavail * st.bsize;
  }

  /** Fills the state folder's file system to the last byte; returns the filler to delete. */
  fillDisk(): string {
    const filler = path.join(this.stateDir, 'filler');
    // Most of it at once, then the last blocks a write at a time (free space moves while it fills).
    execFileSync('fallocate', ['-l', String(Math.max(0, this.freeBytes() - 4 * 1024 * 1024)), filler]);
    const fd = fs.openSync(filler, 'a');
    const block = Buffer.alloc(4096);
    try {
      for (;;) fs.writeSync(fd, block);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    } finally {
      fs.closeSync(fd);
    }
    return filler;
  }

  async down(): Promise<void> {
    await down(this.config, () => undefined).catch(() => undefined);
    // dockerd's own mounts (overlay layers, netns) under the state folder go before the tmpfs.
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${this.stateDir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of [...mounts, this.stateDir]) execFileSync('umount', ['-l', m]);
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
