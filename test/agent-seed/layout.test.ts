import * as fs from 'fs';
import * as path from 'path';
import { HARNESS_DIR, HARNESS_FILES, HARNESS_SCRIPTS, SEED_DIR } from '../../src/agent/harness';

describe('harness and seed locations', () => {
  it('lists every .mjs file of the harness, including each script', () => {
    const onDisk = fs
      .readdirSync(HARNESS_DIR)
      .filter((f) => f.endsWith('.mjs'))
      .sort();
    expect([...HARNESS_FILES]).toEqual(onDisk);
    for (const script of Object.values(HARNESS_SCRIPTS)) expect(onDisk).toContain(script);
  });

  it('points at a seed holding the modules the harness imports', () => {
    for (const f of ['task_agent.mjs', 'meta_agent.mjs', 'select_parent.mjs', 'params.json', 'README.md']) {
      expect(fs.existsSync(path.join(SEED_DIR, f))).toBe(true);
    }
    expect(fs.readFileSync(path.join(SEED_DIR, 'memory', 'notes.md'), 'utf8')).toMatch(/^# Notes/);
  });
});
