/**
 * The embedded S3 server on a full disk (its data folder on a 4 MB tmpfs): a PUT that does not fit
 * is refused with a message naming the full disk, the server goes on serving, the object that was
 * being overwritten keeps its old bytes, and a new key that did not fit is not there at all.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { runningPid, stopService } from '../../src/devstack/processes';
import { s3Process, startS3 } from '../../src/devstack/s3';
import { makeS3Client, S3ObjectStore } from '../../src/storage';

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-s3-full-'));
const c = loadConfig({
  env: { ...process.env, HYPERAGENTS_STATE_DIR: stateDir, HYPERAGENTS_S3_PORT: '17533' },
});
const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);

beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', stateDir]);
  await startS3(c);
}, 60_000);

afterAll(async () => {
  await stopService(s3Process(c));
  execFileSync('umount', ['-l', stateDir]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('a write that does not fit is refused by name, stores nothing partial, and the server goes on', async () => {
  await store.put('kept', 'the old bytes');
  const big = Buffer.alloc(6 * 1024 * 1024, 7);
  await expect(store.put('kept', big)).rejects.toThrow(/could not write kept: no space left on device/);
  await expect(store.put('new', big)).rejects.toThrow(/no space left on device/);
  expect(runningPid(s3Process(c))).toBeDefined();
  expect((await store.get('kept'))?.toString()).toBe('the old bytes');
  expect(await store.get('new')).toBeUndefined();
  expect(await store.list('')).toEqual(['kept']);
  await store.put('small', 'fits');
  expect((await store.get('small'))?.toString()).toBe('fits');
}, 120_000);
