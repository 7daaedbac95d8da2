import { randomUUID } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProgramDir, type ProgramFiles } from '../../src/agent/program';
import { Archive } from '../../src/archive';
import { exportNode } from '../../src/cli/exportNode';
import { freshRunId, makeNode, realStore } from './fixtures';

const store = realStore();
const archive = new Archive(store);
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'archive-export-'));
});
afterAll(async () => {
  await store.cleanUp();
  await fs.rm(tmp, { recursive: true, force: true });
});

const seed: ProgramFiles = {
  'README.md': `seed ${randomUUID()}\n`,
  'task_agent.mjs': 'export const w = 1;\n',
  'meta_agent.mjs': 'export const improve = () => {};\n',
  'harness/score.mjs': 'export const score = (p, l) => p === l;\n',
  'memory/notes.md': '',
};

test('storeChild restores protected paths, stores snapshot and patch; export reads back exactly', async () => {
  const runId = freshRunId();
  const seedKey = await archive.putProgram(seed);
  await archive.putNode(makeNode(runId, 0, null, {}, { snapshotKey: seedKey }));

  const edited: ProgramFiles = {
    ...seed,
    'task_agent.mjs': 'export const w = 2;\n',
    'meta_agent.mjs': 'export const improve = () => { /* v2 */ };\n',
    'harness/score.mjs': 'export const score = () => true; // cheat\n',
    'memory/notes.md': 'w=2 looked better\n',
  };
  const child = await archive.storeChild({ parent: seed, child: edited, protectedPaths: ['harness/'] });
  expect(child.revertedPaths).toEqual(['harness/score.mjs']);
  expect(child.changedPaths).toEqual(['memory/notes.md', 'meta_agent.mjs', 'task_agent.mjs']);
  expect(child.patchEmpty).toBe(false);
  expect(child.metaChanged).toBe(true);
  expect(await archive.getProgram(child.snapshotKey)).toEqual({
    ...edited,
    'harness/score.mjs': seed['harness/score.mjs'],
  });
  const patch = (await archive.getBlob(child.patchKey!)).toString('utf8');
  expect(patch).toContain('-export const w = 1;\n+export const w = 2;\n');
  expect(patch).not.toContain('cheat');

  const node = makeNode(
    runId,
    1,
    0,
    {},
    {
      snapshotKey: child.snapshotKey,
      patchKey: child.patchKey!,
      changedPaths: child.changedPaths,
      revertedPaths: child.revertedPaths,
      metaChanged: child.metaChanged,
    },
  );
  await archive.putNode(node);

  const dir = path.join(tmp, 'gen-1');
  const out = await exportNode(archive, runId, 'gen-00001', dir);
  expect(out.programDir).toBe(path.join(dir, 'program'));
  expect(await readProgramDir(out.programDir)).toEqual(await archive.getProgram(child.snapshotKey));
  expect(JSON.parse(await fs.readFile(out.nodeFile, 'utf8'))).toEqual(node);
  expect(await fs.readFile(out.patchFile!, 'utf8')).toBe(patch);
  await expect(exportNode(archive, runId, 'gen-00001', dir)).rejects.toThrow(/not empty/);

  // The root has no patch: no patch.diff.
  const rootOut = await exportNode(archive, runId, 'gen-00000', path.join(tmp, 'gen-0'));
  expect(rootOut.patchFile).toBeUndefined();
  expect(await readProgramDir(rootOut.programDir)).toEqual(seed);

  const d = await archive.diffNodes(runId, 'gen-00000', 'gen-00001');
  expect(d.changedPaths).toEqual(child.changedPaths);
  expect(d.patch).toBe(patch);
  expect((await archive.diffNodes(runId, 'gen-00001', 'gen-00001')).changedPaths).toEqual([]);
});

test('a child that only touched protected paths stores as an empty patch with no patch blob', async () => {
  const child = await archive.storeChild({
    parent: seed,
    child: { ...seed, 'harness/score.mjs': 'hacked\n', 'harness/new.mjs': 'x' },
    protectedPaths: ['harness'],
  });
  expect(child.revertedPaths).toEqual(['harness/new.mjs', 'harness/score.mjs']);
  expect(child.patchEmpty).toBe(true);
  expect(child.patchKey).toBeUndefined();
  expect(child.changedPaths).toEqual([]);
  expect(child.metaChanged).toBe(false);
  expect(child.snapshotKey).toBe(await archive.putProgram(seed));
});
