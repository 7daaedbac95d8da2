import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AGENT_GID, AGENT_UID } from './rootfs';

/** Prefix of the host folders of bubblewrap sessions; the rest of the name is the session name. */
export const WORK_AREA_PREFIX = 'ha-bwrap-';

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Mount points currently in this mount namespace. */
export function mountPoints(): string[] {
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter(Boolean)
      .map((p) => p.replace(/\\040/g, ' '));
  } catch {
    return [];
  }
}

/**
 * The host side of a bubblewrap session's /work. As root it is a tmpfs of `scratchMb`, so filling it
 * hits ENOSPC inside the sandbox and never the host disk; otherwise a plain folder whose size the
 * sandbox checks after the run.
 */
export class WorkArea {
  private constructor(
    /** Folder owned by root holding the mount point; its name carries the session name. */
    readonly root: string,
    /** What the sandbox sees as /work. */
    readonly dir: string,
    readonly capped: boolean,
  ) {}

  static create(session: string, scratchMb: number, tmp = os.tmpdir()): WorkArea {
    const root = path.join(tmp, `${WORK_AREA_PREFIX}${session}`);
    fs.mkdirSync(root, { mode: 0o711 });
    // Search-only for others: the agent user (bwrap runs as it) must reach work/ to bind it.
    fs.chmodSync(root, 0o711);
    const dir = path.join(root, 'work');
    fs.mkdirSync(dir);
    let capped = false;
    if (isRoot()) {
      const opts = `size=${scratchMb}m,mode=0700,uid=${AGENT_UID},gid=${AGENT_GID},nosuid,nodev`;
      execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' });
      capped = true;
    }
    return new WorkArea(root, dir, capped);
  }

  /** Opens an existing area by its root folder (for the janitor). */
  static open(root: string): WorkArea {
    return new WorkArea(root, path.join(root, 'work'), false);
  }

  /** Total bytes of regular files under /work (used when there is no tmpfs to cap it). */
  usedBytes(): number {
    const walk = (d: string): number =>
      fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) return n + walk(p);
        return n + (e.isFile() ? fs.lstatSync(p).size : 0);
      }, 0);
    return walk(this.dir);
  }

  /** Unmounts (if mounted) and deletes everything. Throws if the mount cannot be released. */
  remove(): void {
    if (mountPoints().includes(this.dir)) {
      try {
        execFileSync('umount', [this.dir], { stdio: 'ignore' });
      } catch {
        // Busy (a process of the session still holds it): detach now, the kernel frees it later.
        execFileSync('umount', ['-l', this.dir], { stdio: 'ignore' });
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
