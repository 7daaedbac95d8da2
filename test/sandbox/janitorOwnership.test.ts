import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { currentWorker, sweepBubblewrap } from '../../src/sandbox';
import { WorkArea } from '../../src/sandbox/workArea';

/**
 * On a shared host, anyone can create `ha-bwrap-*` names in the temp folder. The janitor (root, in
 * the worst case) removes only real folders its own uid owns, named after a dead worker's session,
 * and never follows a symlink.
 */

const [boot] = currentWorker().split('-');
const deadWorker = `${boot}-999999-12345`;
const session = () => `ha-${deadWorker}-${Math.random().toString(16).slice(2, 10).padEnd(8, '0')}`;
const OTHER_UID = 12345;

(process.getuid?.() === 0 ? test : test.skip)(
  "leaves alone what another user planted, follows no symlink, and still removes a dead worker's area",
  async () => {
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-owner-'));
    const cgroupRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-no-cgroups-'));
    try {
      // Another user's folder with a name the janitor would take for a leftover.
      const planted = `ha-bwrap-${session()}`;
      fs.mkdirSync(path.join(tmpDir, planted, 'work'), { recursive: true });
      fs.writeFileSync(path.join(tmpDir, planted, 'work', 'precious'), 'x');
      for (const p of [planted, `${planted}/work`, `${planted}/work/precious`]) {
        fs.lchownSync(path.join(tmpDir, p), OTHER_UID, OTHER_UID);
      }
      // A symlink named like an area, pointing at a folder of root's.
      const victim = path.join(tmpDir, 'victim');
      fs.mkdirSync(path.join(victim, 'work'), { recursive: true });
      fs.writeFileSync(path.join(victim, 'work', 'precious'), 'x');
      const link = `ha-bwrap-${session()}`;
      fs.symlinkSync(victim, path.join(tmpDir, link));
      // A real leftover of a dead worker.
      const leftover = session();
      WorkArea.create(leftover, 1, tmpDir);

      const report = await sweepBubblewrap({ tmpDir, cgroupRoot });

      expect(report.workAreas).toEqual([`ha-bwrap-${leftover}`]);
      expect(fs.readdirSync(tmpDir).sort()).toEqual([link, planted, 'victim'].sort());
      expect(fs.readFileSync(path.join(tmpDir, planted, 'work', 'precious'), 'utf8')).toBe('x');
      expect(fs.readFileSync(path.join(victim, 'work', 'precious'), 'utf8')).toBe('x');
    } finally {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      fs.rmSync(cgroupRoot, { recursive: true, force: true });
    }
  },
);
