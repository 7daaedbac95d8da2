import {
  diffPrograms,
  metaAgentChanged,
  patchIsEmpty,
  replaceSet,
  restoreProtected,
  type ProgramFiles,
} from '../../src/agent/program';
import { META_SET, TASK_SET } from '../../src/agent/layout';

const parent: ProgramFiles = {
  'README.md': 'seed\n',
  'task_agent.mjs': 'const w = 1;\nexport const solve = () => w;\n',
  'meta_agent.mjs': 'export const improve = () => {};\n',
  'harness/run.mjs': 'run();\n',
  'lib/meta/tools.mjs': 'export const tools = [];\n',
  'lib/util.mjs': 'u\n',
};

test('diffPrograms: unified diff with exact hunks, and the added/removed/modified lists', async () => {
  const child: ProgramFiles = {
    ...parent,
    'task_agent.mjs': 'const w = 2;\nexport const solve = () => w;\n',
  };
  delete child['README.md'];
  child['memory/notes.md'] = 'tried w=2\n';
  const d = await diffPrograms(parent, child);
  expect(d.added).toEqual(['memory/notes.md']);
  expect(d.removed).toEqual(['README.md']);
  expect(d.modified).toEqual(['task_agent.mjs']);
  expect(d.changedPaths).toEqual(['README.md', 'memory/notes.md', 'task_agent.mjs']);
  expect(d.patch).toBe(
    [
      'diff --git a/README.md b/README.md',
      'deleted file mode 100644',
      '--- a/README.md',
      '+++ /dev/null',
      '@@ -1,1 +0,0 @@',
      '-seed',
      'diff --git a/memory/notes.md b/memory/notes.md',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/memory/notes.md',
      '@@ -0,0 +1,1 @@',
      '+tried w=2',
      'diff --git a/task_agent.mjs b/task_agent.mjs',
      '--- a/task_agent.mjs',
      '+++ b/task_agent.mjs',
      '@@ -1,2 +1,2 @@',
      '-const w = 1;',
      '+const w = 2;',
      ' export const solve = () => w;',
      '',
    ].join('\n'),
  );
  expect(patchIsEmpty(d)).toBe(false);
});

test('an identical program gives an empty patch; an added empty file does not', async () => {
  const same = await diffPrograms(parent, { ...parent });
  expect(same.patch).toBe('');
  expect(patchIsEmpty(same)).toBe(true);
  const emptyFile = await diffPrograms(parent, { ...parent, 'memory/.keep': '' });
  expect(emptyFile.changedPaths).toEqual(['memory/.keep']);
  expect(patchIsEmpty(emptyFile)).toBe(false);
});

test('restoreProtected reverts edits, re-adds deletions and drops additions under protected paths', () => {
  const child: ProgramFiles = {
    ...parent,
    'harness/run.mjs': 'cheat();\n', // edited, protected folder
    'harness/extra.mjs': 'x\n', // added under protected folder
    'task_agent.mjs': 'improved\n', // allowed edit
    'harnessing.mjs': 'not protected: only the folder harness/ is\n',
  };
  delete child['README.md']; // deletion of an exactly protected file
  const input = structuredClone(child);
  const { files, revertedPaths } = restoreProtected(parent, child, ['./harness/', 'README.md', 'absent/']);
  expect(revertedPaths).toEqual(['README.md', 'harness/extra.mjs', 'harness/run.mjs']);
  expect(files).toEqual({
    ...parent,
    'task_agent.mjs': 'improved\n',
    'harnessing.mjs': 'not protected: only the folder harness/ is\n',
  });
  expect(child).toEqual(input); // not mutated
  expect(restoreProtected(parent, parent, ['harness']).revertedPaths).toEqual([]);
});

test('metaAgentChanged: meta_agent.mjs always counts, other meta files only when listed', () => {
  expect(metaAgentChanged(parent, { ...parent, 'task_agent.mjs': 'x' }, ['lib/meta'])).toBe(false);
  expect(metaAgentChanged(parent, { ...parent, 'meta_agent.mjs': 'x' })).toBe(true);
  const toolsEdit = { ...parent, 'lib/meta/tools.mjs': 'export const tools = [bash];\n' };
  expect(metaAgentChanged(parent, toolsEdit)).toBe(false);
  expect(metaAgentChanged(parent, toolsEdit, ['lib/meta/'])).toBe(true);
  expect(metaAgentChanged(parent, { ...parent, 'lib/meta/new.mjs': '' }, ['lib/meta'])).toBe(true);
  const removed = { ...parent };
  delete removed['meta_agent.mjs'];
  expect(metaAgentChanged(parent, removed)).toBe(true);
});

/** A program laid out as the seed is: each agent an entry point plus its own folder. */
const laidOut: ProgramFiles = {
  'README.md': 'seed\n',
  'task_agent.mjs': 'task entry\n',
  'task/params.json': '{"domains":{}}\n',
  'task/heuristics/a.mjs': 'a\n',
  'meta_agent.mjs': 'meta entry\n',
  'meta/params.json': '{"mutationRate":0.3}\n',
  'meta/mutate.mjs': 'mutate\n',
  'memory/notes.md': '# Notes\n',
};

test('metaAgentChanged over META_SET: meta/params.json alone counts, the task agent and memory do not', () => {
  expect(
    metaAgentChanged(laidOut, { ...laidOut, 'meta/params.json': '{"mutationRate":0.38}\n' }, META_SET),
  ).toBe(true);
  expect(metaAgentChanged(laidOut, { ...laidOut, 'meta/new.mjs': '' }, META_SET)).toBe(true);
  const noMutate = { ...laidOut };
  delete noMutate['meta/mutate.mjs'];
  expect(metaAgentChanged(laidOut, noMutate, META_SET)).toBe(true);
  const taskAndNotes = { ...laidOut, 'task/params.json': '{}\n', 'memory/notes.md': 'more\n' };
  expect(metaAgentChanged(laidOut, taskAndNotes, META_SET)).toBe(false);
  // A look-alike outside the folder is not the meta agent.
  expect(metaAgentChanged(laidOut, { ...laidOut, 'metadata.json': '{}' }, META_SET)).toBe(false);
});

test('replaceSet takes exactly the set from the source: edits, additions and deletions, nothing else', () => {
  const evolved: ProgramFiles = {
    ...laidOut,
    'task_agent.mjs': 'evolved task entry\n',
    'task/params.json': '{"domains":{"x":1}}\n',
    'task/extra.mjs': 'added by evolution\n',
    'meta/params.json': '{"mutationRate":0.38}\n',
    'meta/notes.mjs': 'added by evolution\n',
    'memory/notes.md': '# Notes\nlearned\n',
  };
  delete evolved['task/heuristics/a.mjs'];
  const input = structuredClone(evolved);

  const taskReset = replaceSet(evolved, TASK_SET, laidOut);
  expect(taskReset).toEqual({
    ...laidOut,
    'meta/params.json': evolved['meta/params.json'],
    'meta/notes.mjs': evolved['meta/notes.mjs'],
    'memory/notes.md': evolved['memory/notes.md'],
  });
  const metaReset = replaceSet(evolved, META_SET, laidOut);
  const expected: ProgramFiles = { ...evolved, 'meta/params.json': laidOut['meta/params.json']! };
  delete expected['meta/notes.mjs'];
  expect(metaReset).toEqual(expected);
  expect(evolved).toEqual(input); // not mutated
});
