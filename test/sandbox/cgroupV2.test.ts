import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CGROUP_PARENT, SessionCgroup } from '../../src/sandbox/cgroup';
import { openSession } from '../../src/sandbox/owner';

/**
 * The cgroup v2 code of the bubblewrap backend. A host on cgroup v1 (or hybrid, with the memory, pids
 * and cpu controllers bound to v1) cannot give them to a v2 hierarchy, so: the limit files are checked
 * on a folder laid out like a v2 hierarchy, and a real cgroup2 mount checks the rest (refusal without
 * controllers, joining, cgroup.kill, removal, listing); on a host whose v2 hierarchy has the
 * controllers, the real mount runs a whole session cgroup.
 */

const limits = { memoryMb: 64, cpus: 0.5, pids: 16 };
const read = (f: string) => fs.readFileSync(f, 'utf8');

test('v2 limit files: memory.max, swap.max 0, pids.max, cpu.max, controllers enabled; oom from memory.events', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cgroup2-'));
  try {
    const name = openSession();
    const dir = path.join(root, CGROUP_PARENT, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['cgroup.controllers', 'cgroup.subtree_control'])
      fs.writeFileSync(path.join(root, f), '');
    for (const f of ['memory.max', 'memory.swap.max', 'pids.max', 'cpu.max', 'cgroup.procs', 'cgroup.kill']) {
      fs.writeFileSync(path.join(dir, f), '');
    }
    fs.writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n');
    const cg = SessionCgroup.create(name, limits, root);
    expect(cg.procsFiles).toEqual([path.join(dir, 'cgroup.procs')]);
    expect(read(path.join(dir, 'memory.max'))).toBe(String(64 * 1024 * 1024));
    expect(read(path.join(dir, 'memory.swap.max'))).toBe('0');
    expect(read(path.join(dir, 'pids.max'))).toBe('16');
    expect(read(path.join(dir, 'cpu.max'))).toBe('50000 100000');
    expect(read(path.join(root, 'cgroup.subtree_control'))).toBe('+memory +pids +cpu');
    expect(read(path.join(root, CGROUP_PARENT, 'cgroup.subtree_control'))).toBe('+memory +pids +cpu');
    expect(cg.oomKilled()).toBe(false);
    fs.writeFileSync(path.join(dir, 'memory.events'), 'oom 1\noom_kill 1\n');
    expect(cg.oomKilled()).toBe(true);
    await cg.killAll();
    expect(read(path.join(dir, 'cgroup.kill'))).toBe('1');
    expect(SessionCgroup.list(root)).toEqual([name]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/** Mounts a cgroup2 hierarchy (the host's own v2 hierarchy, seen at a second place) for `body`. */
async function withCgroup2(body: (root: string) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup2-'));
  execFileSync('mount', ['-t', 'cgroup2', 'none', root]);
  try {
    await body(root);
  } finally {
    try {
      fs.rmdirSync(path.join(root, CGROUP_PARENT));
    } catch {
      // Not empty (another worker's sessions) or never made.
    }
    execFileSync('umount', [root]);
    fs.rmdirSync(root);
  }
}

/** A process to put in a cgroup: sleeps until killed. */
function sleeper(): Promise<{ pid: number; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  return new Promise((resolve) => child.on('spawn', () => resolve({ pid: child.pid!, exited })));
}

(process.getuid?.() === 0 ? test : test.skip)(
  'a real cgroup2 hierarchy: a session cgroup without memory and pids controllers is refused; joining, cgroup.kill and removal work',
  async () => {
    await withCgroup2(async (root) => {
      const controllers = read(path.join(root, 'cgroup.controllers')).split(/\s+/);
      const name = openSession();
      const dir = path.join(root, CGROUP_PARENT, name);
      let cg: SessionCgroup;
      if (controllers.includes('memory') && controllers.includes('pids')) {
        // A cgroup v2 host: the whole session cgroup.
        cg = SessionCgroup.create(name, limits, root);
        expect(read(path.join(dir, 'memory.max')).trim()).toBe(String(64 * 1024 * 1024));
        expect(read(path.join(dir, 'pids.max')).trim()).toBe('16');
      } else {
        // Controllers bound to v1 (this hybrid host): refused, nothing left behind.
        expect(() => SessionCgroup.create(name, limits, root)).toThrow(/memory.max, pids.max missing/);
        expect(fs.existsSync(dir)).toBe(false);
        fs.mkdirSync(dir);
        cg = SessionCgroup.open(name, root);
      }
      const proc = await sleeper();
      fs.writeFileSync(cg.procsFiles[0]!, String(proc.pid));
      expect(cg.pids()).toEqual([proc.pid]);
      expect(SessionCgroup.list(root)).toContain(name);
      expect(await cg.remove()).toBe(true);
      expect(await proc.exited).toBe('SIGKILL');
      expect(fs.existsSync(dir)).toBe(false);
    });
  },
);
