import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  programHash,
  ProgramFolderError,
  ProgramPathError,
  readProgramDir,
  scanProgramDir,
  writeProgramDir,
  type ProgramFiles,
} from '../../src/agent/program';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'program-files-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const program: ProgramFiles = {
  'README.md': '# seed\n',
  'task_agent.mjs': 'export function solve() { return { prediction: 1 }; }\n',
  'meta_agent.mjs': 'export async function improve() {}\n',
  'params.json': '{"w":[0.5,0.25]}',
  'memory/notes.md': 'héllo ✓ 日本\n',
  'lib/util/a.mjs': '',
};

test('write then read gives the same files, nested folders and UTF-8 included', async () => {
  const dir = path.join(tmp, 'p');
  await writeProgramDir(dir, program);
  expect(await fs.readFile(path.join(dir, 'lib', 'util', 'a.mjs'), 'utf8')).toBe('');
  expect(await readProgramDir(dir)).toEqual(program);
});

test('writeProgramDir refuses absolute and .. paths before writing anything', async () => {
  const dir = path.join(tmp, 'p');
  for (const bad of ['/etc/passwd', '../escape.mjs', 'lib/../../x', 'a//b', 'lib\\x', './a']) {
    await expect(writeProgramDir(dir, { 'ok.mjs': 'x', [bad]: 'y' })).rejects.toThrow(ProgramPathError);
  }
  await expect(writeProgramDir(dir, { lib: 'x', 'lib/a.mjs': 'y' })).rejects.toThrow(
    /both a file and a folder/,
  );
  await expect(fs.readdir(dir)).rejects.toThrow(); // never created
  await expect(fs.access(path.join(tmp, 'escape.mjs'))).rejects.toThrow();
});

test('writeProgramDir refuses a folder that is not empty', async () => {
  await fs.writeFile(path.join(tmp, 'stale.mjs'), 'old');
  await expect(writeProgramDir(tmp, { 'a.mjs': 'x' })).rejects.toThrow(ProgramFolderError);
});

test('symlinks are skipped with a reason; ones pointing outside are named as such', async () => {
  const dir = path.join(tmp, 'p');
  await writeProgramDir(dir, { 'a.mjs': 'A', 'lib/b.mjs': 'B' });
  const secret = path.join(tmp, 'secret.txt');
  await fs.writeFile(secret, 'TOP SECRET');
  await fs.symlink(secret, path.join(dir, 'leak.txt'));
  await fs.symlink('/etc', path.join(dir, 'lib', 'etc'));
  await fs.symlink('a.mjs', path.join(dir, 'alias.mjs'));
  await fs.symlink(path.join(tmp, 'nowhere'), path.join(dir, 'dangling'));
  const scan = await scanProgramDir(dir);
  expect(scan.files).toEqual({ 'a.mjs': 'A', 'lib/b.mjs': 'B' });
  const reasons = Object.fromEntries(scan.skipped.map((s) => [s.path, s.reason]));
  expect(Object.keys(reasons).sort()).toEqual(['alias.mjs', 'dangling', 'leak.txt', 'lib/etc']);
  expect(reasons['leak.txt']).toMatch(/outside the program folder/);
  expect(reasons['lib/etc']).toMatch(/outside the program folder/);
  expect(reasons['alias.mjs']).toMatch(/not followed/);
  expect(reasons['dangling']).toMatch(/dangling/);
  expect(JSON.stringify(scan)).not.toContain('TOP SECRET');
});

test('binary files, .git, other tool files and node_modules are skipped with reasons', async () => {
  const dir = path.join(tmp, 'p');
  await writeProgramDir(dir, { 'a.mjs': 'A', 'node_modules/x/index.js': 'x' });
  for (const f of ['.git/HEAD', '.GIT/config', '.vscode/tasks.json', 'lib/.envrc']) {
    await fs.mkdir(path.join(dir, path.dirname(f)), { recursive: true });
    await fs.writeFile(path.join(dir, f), 'x');
  }
  await fs.writeFile(path.join(dir, 'blob.bin'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]));
  const scan = await scanProgramDir(dir);
  expect(scan.files).toEqual({ 'a.mjs': 'A' });
  expect(scan.skipped.map((s) => s.path)).toEqual([
    '.GIT',
    '.git',
    '.vscode',
    'blob.bin',
    'lib/.envrc',
    'node_modules',
  ]);
  const reasons = Object.fromEntries(scan.skipped.map((s) => [s.path, s.reason]));
  expect(reasons['.git']).toBe('skipped folder');
  expect(reasons['node_modules']).toBe('skipped folder');
  expect(reasons['blob.bin']).toBe('not UTF-8 text');
  for (const p of ['.GIT', '.vscode', 'lib/.envrc']) expect(reasons[p]).toMatch(/tool's configuration/);
});

test('caps on file count, file size and total size give clear errors', async () => {
  const dir = path.join(tmp, 'p');
  await writeProgramDir(dir, { 'a.txt': 'x'.repeat(600), 'b.txt': 'y'.repeat(600), 'c.txt': 'z' });
  await expect(readProgramDir(dir, { maxFiles: 2 })).rejects.toThrow(/more than 2 files/);
  await expect(readProgramDir(dir, { maxFileBytes: 500 })).rejects.toThrow(
    /'a.txt' is 600 bytes; the limit is 500/,
  );
  await expect(readProgramDir(dir, { maxTotalBytes: 1000 })).rejects.toThrow(/more than 1000 bytes/);
  expect(Object.keys(await readProgramDir(dir, { maxFiles: 3, maxTotalBytes: 1201 }))).toHaveLength(3);
  await expect(readProgramDir(path.join(tmp, 'missing'))).rejects.toThrow(ProgramFolderError);
});

test('programHash is sha256 of sorted-key canonical JSON, independent of insertion order', () => {
  // Hand-computed: printf '%s' '{"10":"ten","9":"nine","a.mjs":"A"}' | sha256sum. JS objects list
  // integer-like keys numerically (9 before 10); the canonical form sorts them as strings.
  const expected = '8248fda0b6950aa054175e0f8f8057890c36336fedae0e568d653bc3cb1d7a5b';
  const h1 = programHash({ 'a.mjs': 'A', '9': 'nine', '10': 'ten' });
  const h2 = programHash({ '10': 'ten', 'a.mjs': 'A', '9': 'nine' });
  expect(h1).toBe(h2);
  expect(h1).toBe(expected);
  expect(programHash({ 'a.mjs': 'A ' })).not.toBe(programHash({ 'a.mjs': 'A' }));
});
