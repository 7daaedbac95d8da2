import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AGENT_HOME, SANDBOX_NODE, SOCKET_DIR, WORK_DIR } from './paths';

/** The unprivileged identity every agent program runs as. */
export const AGENT_UID = 10001;
export const AGENT_GID = 10001;

/** Bump when the rootfs layout changes so images are rebuilt. */
const LAYOUT_VERSION = '1';

const PASSWD = `root:x:0:0:root:/root:/bin/sh\nagent:x:${AGENT_UID}:${AGENT_GID}:agent:${AGENT_HOME}:/bin/sh\n`;
const GROUP = `root:x:0:\nagent:x:${AGENT_GID}:\n`;

function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!).filter((p) => fs.existsSync(p));
}

function busybox(): string | undefined {
  return ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
}

/** Host files copied into the sandbox root: node with its libraries, and a static busybox for a shell. */
export function rootfsInputs(): string[] {
  const node = fs.realpathSync(process.execPath);
  const files = [node, ...sharedLibraries(node)];
  const bb = busybox();
  if (bb) files.push(bb);
  return [...new Set(files)].sort();
}

/** Content hash of everything that goes into the root: it names the image and the rootfs folder. */
export function rootfsHash(inputs = rootfsInputs()): string {
  const h = createHash('sha256').update(`layout ${LAYOUT_VERSION}\n${PASSWD}${GROUP}`);
  for (const f of inputs) h.update(`${f}\n`).update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

function copyInto(root: string, hostPath: string, inside = hostPath): void {
  const dest = path.join(root, inside);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(hostPath, dest);
  fs.chmodSync(dest, 0o755);
}

/**
 * Builds (once per hash) a minimal root filesystem: node at SANDBOX_NODE, its libraries at their host
 * paths, busybox as /bin/sh and friends, an unprivileged user, and empty mount points.
 */
export function ensureRootfs(sandboxRoot: string): { dir: string; hash: string } {
  const inputs = rootfsInputs();
  const hash = rootfsHash(inputs);
  const dir = path.join(sandboxRoot, `rootfs-${hash}`);
  if (fs.existsSync(dir)) return { dir, hash };
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const node = fs.realpathSync(process.execPath);
  for (const f of inputs) copyInto(staging, f, f === node ? SANDBOX_NODE : f);
  const bb = busybox();
  if (bb) {
    copyInto(staging, bb, '/bin/busybox');
    const applets = execFileSync(bb, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) {
      const link = path.join(staging, 'bin', applet);
      if (!fs.existsSync(link)) fs.symlinkSync('busybox', link);
    }
  }
  for (const d of ['/etc', '/tmp', '/proc', '/dev', '/sys', WORK_DIR, AGENT_HOME, SOCKET_DIR]) {
    fs.mkdirSync(path.join(staging, d), { recursive: true });
  }
  fs.chmodSync(path.join(staging, 'tmp'), 0o1777);
  fs.writeFileSync(path.join(staging, 'etc/passwd'), PASSWD);
  fs.writeFileSync(path.join(staging, 'etc/group'), GROUP);
  fs.renameSync(staging, dir);
  return { dir, hash };
}

/** Files the agent owns inside the image (everything else belongs to root and is read-only). */
export function agentOwned(relPath: string): boolean {
  return `/${relPath}` === WORK_DIR || `/${relPath}` === AGENT_HOME;
}
