import { createHash, randomUUID } from 'crypto';
import { Archive } from '../../src/archive';
import { CorruptObjectError } from '../../src/storage';
import { programHash } from '../../src/agent/program';
import { realStore } from './fixtures';

const store = realStore();
const archive = new Archive(store);
afterAll(() => store.cleanUp());

test('same bytes give the same key and one object; the second put skips the upload', async () => {
  const text = `blob ${randomUUID()}\n`;
  const hex = createHash('sha256').update(text).digest('hex');
  const k1 = await archive.putBlob(text);
  const k2 = await archive.putBlob(Buffer.from(text, 'utf8'));
  expect(k1).toBe(`blobs/sha256/${hex}`);
  expect(k2).toBe(k1);
  expect(store.putKeys.filter((k) => k === k1)).toHaveLength(1);
  expect(await store.list(k1)).toEqual([k1]);
  expect((await archive.getBlob(k1)).toString('utf8')).toBe(text);
  expect(await archive.putBlob(`${text}.`)).not.toBe(k1);
});

test('getBlob refuses a missing blob and one whose content does not match its address', async () => {
  const hex = createHash('sha256').update(`absent ${randomUUID()}`).digest('hex');
  await expect(archive.getBlob(`blobs/sha256/${hex}`)).rejects.toThrow(/does not exist/);
  await store.put(`blobs/sha256/${hex}`, 'tampered');
  await expect(archive.getBlob(`blobs/sha256/${hex}`)).rejects.toThrow(CorruptObjectError);
  await expect(archive.getBlob('runs/x/nodes/gen-00001.json')).rejects.toThrow(/not a blob key/);
});

test('a program snapshot is addressed by programHash and reads back identically', async () => {
  const files = { 'task_agent.mjs': `// ${randomUUID()}\n`, '10': 'ten', '9': 'nine', 'lib/x.mjs': 'ü\n' };
  const key = await archive.putProgram(files);
  expect(key).toBe(`blobs/sha256/${programHash(files)}`);
  const reordered = Object.fromEntries(Object.entries(files).reverse());
  expect(await archive.putProgram(reordered)).toBe(key);
  expect(await archive.getProgram(key)).toEqual(files);
  await expect(archive.putProgram({ '../x': 'y' })).rejects.toThrow(/'\.\.' segment/);
});
