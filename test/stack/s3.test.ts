import { createHash, randomBytes, randomUUID } from 'crypto';
import { Readable } from 'stream';
import { makeS3Client, S3ObjectStore } from '../../src/storage';
import { stackConfig } from '../helpers/stack';

const c = stackConfig();
const store = new S3ObjectStore(makeS3Client(c), c.s3.bucket);
const prefix = `test/${randomUUID()}/`;

test('put, get, list and delete against the real S3 server', async () => {
  await store.put(`${prefix}a.json`, '{"a":1}', 'application/json');
  await store.put(`${prefix}b/c.bin`, Buffer.from([0, 1, 2, 255]));
  expect((await store.get(`${prefix}a.json`))?.toString()).toBe('{"a":1}');
  expect([...(await store.get(`${prefix}b/c.bin`))!]).toEqual([0, 1, 2, 255]);
  expect((await store.list(prefix)).sort()).toEqual([`${prefix}a.json`, `${prefix}b/c.bin`]);
  await store.delete(`${prefix}a.json`);
  expect(await store.get(`${prefix}a.json`)).toBeUndefined();
  expect(await store.list(prefix)).toEqual([`${prefix}b/c.bin`]);
  await store.delete(`${prefix}b/c.bin`);
});

test('a streamed multi-part upload reads back byte for byte', async () => {
  // 12 MiB in uneven chunks, larger than one 5 MiB part, from a stream of unknown length.
  const chunks = Array.from({ length: 24 }, (_, i) => randomBytes(512 * 1024 + i));
  const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
  await store.putStream(`${prefix}big.bin`, Readable.from(chunks));
  const back = await store.get(`${prefix}big.bin`);
  expect(back?.length).toBe(chunks.reduce((n, b) => n + b.length, 0));
  expect(createHash('sha256').update(back!).digest('hex')).toBe(expected);
  await store.delete(`${prefix}big.bin`);
});
