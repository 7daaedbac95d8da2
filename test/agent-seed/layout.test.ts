import * as fs from 'fs';
import * as path from 'path';
import { HARNESS_DIR, HARNESS_FILES, HARNESS_SCRIPTS, SEED_DIR } from '../../src/agent/harness';
import { META_SET, TASK_SET } from '../../src/agent/layout';
import { pathMatcher } from '../../src/agent/program';

/** Every .mjs file of the seed, relative to it, with the relative module paths it imports, resolved. */
function seedImports(): Array<{ file: string; imports: string[] }> {
  const files = (fs.readdirSync(SEED_DIR, { recursive: true }) as string[]).filter((p) => p.endsWith('.mjs'));
  return files.map((file) => {
    const text = fs.readFileSync(path.join(SEED_DIR, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/g)].map(
      (m) => m[1]!,
    );
    const dynamic = [...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]!);
    return {
      file,
      imports: [...specifiers, ...dynamic].map((s) =>
        path.posix.normalize(path.posix.join(path.posix.dirname(file), s)),
      ),
    };
  });
}

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
    for (const f of ['task_agent.mjs', 'meta_agent.mjs', 'select_parent.mjs', 'README.md']) {
      expect(fs.existsSync(path.join(SEED_DIR, f))).toBe(true);
    }
    expect(fs.readFileSync(path.join(SEED_DIR, 'memory', 'notes.md'), 'utf8')).toMatch(/^# Notes/);
  });

  it('lays out each agent as one set: every file of META_SET and of TASK_SET imports only from its own set', () => {
    const sets = { meta: pathMatcher(META_SET), task: pathMatcher(TASK_SET) };
    const seen = { meta: 0, task: 0 };
    for (const { file, imports } of seedImports()) {
      for (const [name, inSet] of Object.entries(sets) as Array<
        [keyof typeof sets, (p: string) => boolean]
      >) {
        if (!inSet(file)) continue;
        seen[name]++;
        for (const target of imports) {
          expect({ file, target, inSet: inSet(target) }).toEqual({ file, target, inSet: true });
          expect(fs.existsSync(path.join(SEED_DIR, target))).toBe(true);
        }
      }
    }
    // The scan found the agents' modules (the entry points and their folders).
    expect(seen.meta).toBeGreaterThanOrEqual(5);
    expect(seen.task).toBeGreaterThanOrEqual(7);
    for (const f of ['meta/params.json', 'task/params.json'])
      expect(fs.existsSync(path.join(SEED_DIR, f))).toBe(true);
    expect(fs.existsSync(path.join(SEED_DIR, 'lib'))).toBe(false);
  });
});
