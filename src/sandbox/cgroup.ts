import * as fs from 'fs';
import * as path from 'path';

export const CGROUP_ROOT = '/sys/fs/cgroup';
/** Every session cgroup lives under this folder of each hierarchy, named after its session. */
export const CGROUP_PARENT = 'hyperagents';
const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'freezer'] as const;
const CFS_PERIOD_US = 100_000;

export interface CgroupLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function write(file: string, value: string): void {
  fs.writeFileSync(file, value);
}

function isV2(root: string): boolean {
  return fs.existsSync(path.join(root, 'cgroup.controllers'));
}

/** The folders (one per hierarchy on v1, one on v2) a session cgroup named `name` would use. */
function dirsFor(root: string, name: string): string[] {
  if (isV2(root)) return [path.join(root, CGROUP_PARENT, name)];
  return V1_CONTROLLERS.filter((c) => fs.existsSync(path.join(root, c, 'cgroup.procs'))).map((c) =>
    path.join(root, c, CGROUP_PARENT, name),
  );
}

/**
 * A per-session cgroup holding the memory, process-count and CPU limits of a bubblewrap session. The
 * session joins it before bwrap starts (see bubblewrapSandbox), so nothing it forks can escape it.
 */
export class SessionCgroup {
  private constructor(
    readonly dirs: string[],
    private readonly v2: boolean,
  ) {}

  /**
   * Creates and configures it. Throws, leaving nothing behind, when cgroups are not writable here or
   * the memory or pids controller is missing (a session without them would be unlimited).
   */
  static create(name: string, limits: CgroupLimits, root = CGROUP_ROOT): SessionCgroup {
    const v2 = isV2(root);
    const dirs = dirsFor(root, name);
    const controllerDir = (c: string) => dirs.find((d) => d.includes(`${path.sep}${c}${path.sep}`));
    if (!v2 && (!controllerDir('memory') || !controllerDir('pids'))) {
      throw new Error(`no cgroup v2 hierarchy nor v1 memory and pids hierarchies under ${root}`);
    }
    const made: string[] = [];
    try {
      if (v2) enableV2Controllers(root);
      for (const d of dirs) {
        fs.mkdirSync(d, { recursive: true });
        made.push(d);
      }
      if (v2) {
        const missing = ['memory.max', 'pids.max'].filter((f) => !fs.existsSync(path.join(dirs[0]!, f)));
        if (missing.length > 0) {
          throw new Error(
            `${missing.join(', ')} missing: memory and pids controllers not enabled for ${CGROUP_PARENT}`,
          );
        }
      }
      const cg = new SessionCgroup(dirs, v2);
      cg.applyLimits(limits);
      return cg;
    } catch (e) {
      for (const d of made.reverse()) fs.rmdirSync(d);
      throw new Error(`cannot set up a session cgroup under ${root}: ${(e as Error).message}`);
    }
  }

  /** Opens an existing session cgroup (for the janitor). */
  static open(name: string, root = CGROUP_ROOT): SessionCgroup {
    return new SessionCgroup(
      dirsFor(root, name).filter((d) => fs.existsSync(d)),
      isV2(root),
    );
  }

  /** Session names that have a cgroup under any hierarchy. */
  static list(root = CGROUP_ROOT): string[] {
    const parents = isV2(root)
      ? [path.join(root, CGROUP_PARENT)]
      : V1_CONTROLLERS.map((c) => path.join(root, c, CGROUP_PARENT));
    const names = new Set<string>();
    for (const p of parents) {
      if (!fs.existsSync(p)) continue;
      for (const e of fs.readdirSync(p, { withFileTypes: true })) if (e.isDirectory()) names.add(e.name);
    }
    return [...names].sort();
  }

  /** The files a process writes its pid to, to join every hierarchy. */
  get procsFiles(): string[] {
    return this.dirs.map((d) => path.join(d, 'cgroup.procs'));
  }

  private file(controller: string, name: string): string | undefined {
    if (this.v2) return path.join(this.dirs[0]!, name);
    const dir = this.dirs.find((d) => d.includes(`${path.sep}${controller}${path.sep}`));
    return dir && path.join(dir, name);
  }

  private applyLimits(l: CgroupLimits): void {
    const bytes = String(l.memoryMb * 1024 * 1024);
    const quota = String(Math.max(1000, Math.round(l.cpus * CFS_PERIOD_US)));
    if (this.v2) {
      write(this.file('memory', 'memory.max')!, bytes);
      tryWrite(this.file('memory', 'memory.swap.max')!, '0');
      write(this.file('pids', 'pids.max')!, String(l.pids));
      tryWrite(this.file('cpu', 'cpu.max')!, `${quota} ${CFS_PERIOD_US}`);
      return;
    }
    write(this.file('memory', 'memory.limit_in_bytes')!, bytes);
    // Without this, a host with swap would let the session page out instead of being limited.
    const memsw = this.file('memory', 'memory.memsw.limit_in_bytes');
    if (memsw && fs.existsSync(memsw)) tryWrite(memsw, bytes);
    write(this.file('pids', 'pids.max')!, String(l.pids));
    const period = this.file('cpu', 'cpu.cfs_period_us');
    if (period) {
      write(period, String(CFS_PERIOD_US));
      write(this.file('cpu', 'cpu.cfs_quota_us')!, quota);
    }
  }

  /** Whether the kernel's OOM killer killed a process of the session. */
  oomKilled(): boolean {
    const file = this.v2 ? this.file('memory', 'memory.events') : this.file('memory', 'memory.oom_control');
    try {
      const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(file!, 'utf8'));
      return Number(m?.[1] ?? 0) > 0;
    } catch {
      return false;
    }
  }

  /** Host pids of every process in the session. */
  pids(): number[] {
    const all = new Set<number>();
    for (const f of this.procsFiles) {
      try {
        for (const l of fs.readFileSync(f, 'utf8').split('\n')) if (l.trim()) all.add(Number(l));
      } catch {
        // The folder is already gone.
      }
    }
    return [...all];
  }

  /**
   * Kills every process of the session. On v1 the freezer stops a fork bomb from racing the kill
   * loop; pids.max bounds it anyway.
   */
  async killAll(): Promise<void> {
    const kill = this.v2 ? path.join(this.dirs[0]!, 'cgroup.kill') : undefined;
    if (kill && fs.existsSync(kill)) tryWrite(kill, '1');
    const freezer = this.v2 ? undefined : this.file('freezer', 'freezer.state');
    if (freezer) tryWrite(freezer, 'FROZEN');
    for (let i = 0; i < 200; i++) {
      const pids = this.pids();
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      if (freezer && i === 0) tryWrite(freezer, 'THAWED');
      await sleep(i < 10 ? 5 : 25);
    }
    if (freezer) tryWrite(freezer, 'THAWED');
  }

  /** Kills what is left and removes the folders; true when none remains. */
  async remove(): Promise<boolean> {
    await this.killAll();
    let left = 0;
    for (const d of this.dirs) {
      for (let i = 0; i < 40 && fs.existsSync(d); i++) {
        try {
          fs.rmdirSync(d);
        } catch {
          await sleep(25);
        }
      }
      if (fs.existsSync(d)) left++;
    }
    return left === 0;
  }
}

function tryWrite(file: string, value: string): void {
  try {
    write(file, value);
  } catch {
    // Optional knob, not present or not writable on this kernel.
  }
}

function enableV2Controllers(root: string): void {
  fs.mkdirSync(path.join(root, CGROUP_PARENT), { recursive: true });
  for (const dir of [root, path.join(root, CGROUP_PARENT)]) {
    tryWrite(path.join(dir, 'cgroup.subtree_control'), '+memory +pids +cpu');
  }
}
