import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { pack } from 'tar-stream';
import { collectFromDir, collectFromTar } from '../../src/sandbox/copyOut';
import { OUTPUT_LIMITS } from '../../src/sandbox';

/*
 * Copy-out on the host side, without a sandbox: names, races and broken archives an agent can
 * produce are skipped with a reason; nothing throws, nothing is followed.
 */

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'copy-out-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('bubblewrap: a file swapped for a symlink after it was listed is refused, not followed', () => {
  const work = path.join(tmp, 'work');
  fs.mkdirSync(path.join(work, 'out'), { recursive: true });
  fs.writeFileSync(path.join(work, 'out', 'a.txt'), 'harmless');
  const secret = path.join(tmp, 'secret.txt');
  fs.writeFileSync(secret, 'TOP SECRET');
  // The race: the still-running agent swaps out/a.txt for a link just before the host opens it.
  const nodeFs = jest.requireActual<typeof fs>('fs'); // the module object itself, which copyOut calls through
  const realOpen = nodeFs.openSync;
  jest.spyOn(nodeFs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
    if (
      String(args[0]).endsWith('a.txt') &&
      !fs.lstatSync(path.join(work, 'out', 'a.txt')).isSymbolicLink()
    ) {
      fs.rmSync(path.join(work, 'out', 'a.txt'));
      fs.symlinkSync(secret, path.join(work, 'out', 'a.txt'));
    }
    return realOpen(...args);
  });
  const got = collectFromDir(work, ['out']);
  expect(Object.values(got.files).map(String)).not.toContain('TOP SECRET');
  expect(Object.keys(got.files)).toEqual([]);
  expect(got.skipped).toEqual([{ path: 'out/a.txt', reason: 'symlink not followed' }]);
});

test('bubblewrap: a FIFO is skipped without blocking the worker', () => {
  const work = path.join(tmp, 'work');
  fs.mkdirSync(path.join(work, 'out'), { recursive: true });
  execFileSync('mkfifo', [path.join(work, 'out', 'pipe')]);
  const got = collectFromDir(work, ['out']);
  expect(got.skipped).toEqual([{ path: 'out/pipe', reason: 'not a regular file' }]);
});

/** A tar stream as `docker getArchive` returns it, holding the given entries. */
function tarOf(entries: Array<{ name: string; body?: string; type?: 'file' | 'directory' | 'symlink' }>) {
  const p = pack();
  for (const e of entries) {
    if (e.type === 'directory') p.entry({ name: e.name, type: 'directory' });
    else if (e.type === 'symlink') p.entry({ name: e.name, type: 'symlink', linkname: '/etc/passwd' });
    else p.entry({ name: e.name }, e.body ?? '');
  }
  p.finalize();
  return p.pipe(new PassThrough());
}

test('docker: backslash, control-character, .. and too-deep names in a tar are skipped, never thrown', async () => {
  const deep = Array.from({ length: OUTPUT_LIMITS.depth + 5 }, () => 'd').join('/');
  const c = await collectFromTar(
    tarOf([
      { name: 'out/', type: 'directory' },
      { name: 'out/ok.txt', body: 'fine' },
      { name: 'out/..\\..\\x', body: 'a' },
      { name: 'out/../../x', body: 'b' },
      { name: 'out/e\u001b[31m', body: 'c' },
      { name: `out/${deep}/f.txt`, body: 'd' },
      { name: `out/${deep}/g.txt`, body: 'e' },
      { name: 'out/leak', type: 'symlink' },
    ]),
    '',
  );
  expect(Object.keys(c.result.files)).toEqual(['out/ok.txt']);
  const reasons = Object.fromEntries(c.result.skipped.map((s) => [s.path, s.reason]));
  expect(reasons['out/..\\..\\x']).toMatch(/backslash/);
  expect(reasons['out/..']).toMatch(/not a plain path/);
  expect(reasons['out/e\\u{001b}[31m']).toMatch(/control or invisible format character \(U\+001B\)/);
  const depthSkips = c.result.skipped.filter((s) => /nested deeper than/.test(s.reason));
  expect(depthSkips).toHaveLength(1); // the folder at the limit, once
  expect(depthSkips[0]!.path.split('/')).toHaveLength(OUTPUT_LIMITS.depth + 1);
  expect(reasons['out/leak']).toMatch(/symlink not followed/);
});

test('docker: a broken archive ends the copy with a skipped entry instead of failing', async () => {
  const broken = new PassThrough();
  const done = collectFromTar(broken, 'program');
  broken.write(Buffer.alloc(512, 0x41)); // not a tar header
  broken.end();
  const c = await done;
  expect(c.result.files).toEqual({});
  expect(c.result.skipped).toHaveLength(1);
  expect(c.result.skipped[0]!.reason).toMatch(/copy-out stopped/);
});
