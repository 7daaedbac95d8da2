import { randomBytes, randomUUID } from 'crypto';
import { Readable } from 'stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { makeS3Client, MemoryObjectStore, S3ObjectStore, type ObjectStore } from '../../src/storage';
import { stackConfig } from '../helpers/stack';

/**
 * The ObjectStore contract: one suite, run against every implementation, so the in-memory store
 * that unit tests use cannot drift from what the real S3 server (s3rver of the embedded stack) does.
 * Every test writes under its own random prefix and deletes it afterwards; the S3 bucket is shared
 * with every other suite, so no test ever lists outside its prefix.
 */
interface Subject {
  store: ObjectStore;
  /** The content type the store recorded for a key (S3: object metadata, via HEAD). */
  contentType(key: string): Promise<string | undefined>;
}

const factories: Array<[name: string, make: () => Subject]> = [
  [
    'MemoryObjectStore',
    () => {
      const store = new MemoryObjectStore();
      return { store, contentType: (key) => Promise.resolve(store.contentType(key)) };
    },
  ],
  [
    'S3ObjectStore (s3rver of the stack)',
    () => {
      const c = stackConfig();
      const client = makeS3Client(c);
      return {
        store: new S3ObjectStore(client, c.s3.bucket),
        contentType: async (key) =>
          (await client.send(new HeadObjectCommand({ Bucket: c.s3.bucket, Key: key }))).ContentType,
      };
    },
  ],
];

describe.each(factories)('ObjectStore contract: %s', (_name, make) => {
  let subject: Subject;
  let store: ObjectStore;
  let prefix: string;

  beforeEach(() => {
    subject = make();
    store = subject.store;
    prefix = `test/contract/${randomUUID()}/`;
  });
  afterEach(async () => {
    for (const key of await store.list(prefix)) await store.delete(key);
  });

  test('a key never written reads as undefined', async () => {
    expect(await store.get(`${prefix}missing.json`)).toBeUndefined();
  });

  test('strings are stored as UTF-8 and buffers byte for byte', async () => {
    await store.put(`${prefix}text.txt`, 'héllo € 😀');
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await store.put(`${prefix}bytes.bin`, every);
    expect((await store.get(`${prefix}text.txt`))?.toString('utf8')).toBe('héllo € 😀');
    expect((await store.get(`${prefix}bytes.bin`))?.equals(every)).toBe(true);
  });

  test('an empty object reads as an empty buffer, not as missing', async () => {
    await store.put(`${prefix}empty`, Buffer.alloc(0));
    const got = await store.get(`${prefix}empty`);
    expect(got).toBeInstanceOf(Buffer);
    expect(got).toHaveLength(0);
  });

  test('a second put replaces the object', async () => {
    await store.put(`${prefix}k`, 'first');
    await store.put(`${prefix}k`, 'second');
    expect((await store.get(`${prefix}k`))?.toString()).toBe('second');
    expect(await store.list(prefix)).toEqual([`${prefix}k`]);
  });

  test('put records the content type, application/octet-stream when none is given', async () => {
    await store.put(`${prefix}a.json`, '{}', 'application/json');
    await store.put(`${prefix}b.bin`, Buffer.from([1]));
    expect(await subject.contentType(`${prefix}a.json`)).toBe('application/json');
    expect(await subject.contentType(`${prefix}b.bin`)).toBe('application/octet-stream');
  });

  test('list returns every key under the prefix, nested ones included, in UTF-8 byte order', async () => {
    // Written out of order; S3 orders by bytes: 'A' < 'a/10' < 'a/2' < 'ab' < 'b' < 'é'. (s3rver walks
    // folders instead, so it would put 'a-' after 'a/…' where S3 puts it before: a key that continues
    // a folder's name with a byte below '/' is left out of the contract on purpose.)
    const names = ['b', 'a/2', 'é', 'ab', 'A', 'a/10'];
    for (const n of names) await store.put(`${prefix}list/${n}`, n);
    // Shares the string `${prefix}list` but not the folder `${prefix}list/`.
    await store.put(`${prefix}listing`, 'outside');
    expect(await store.list(`${prefix}list/`)).toEqual(
      ['A', 'a/10', 'a/2', 'ab', 'b', 'é'].map((n) => `${prefix}list/${n}`),
    );
    expect(await store.list(`${prefix}list/a/`)).toEqual([`${prefix}list/a/10`, `${prefix}list/a/2`]);
    expect(await store.list(`${prefix}list`)).toHaveLength(names.length + 1);
    expect(await store.list(`${prefix}nothing/`)).toEqual([]);
  });

  test('list pages past 1,000 keys: every key once, nested ones included', async () => {
    const keys = Array.from(
      { length: 1100 },
      (_, i) => `${prefix}many/${i % 4 === 0 ? 'sub/' : ''}k${String(i).padStart(4, '0')}`,
    );
    for (let i = 0; i < keys.length; i += 100)
      await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, 'x')));
    expect(await store.list(`${prefix}many/`)).toEqual([...keys].sort());
  }, 60_000);

  test('delete removes the object from get and list; deleting a missing key is not an error', async () => {
    await store.put(`${prefix}keep`, 'k');
    await store.put(`${prefix}drop`, 'd');
    await store.delete(`${prefix}drop`);
    expect(await store.get(`${prefix}drop`)).toBeUndefined();
    expect(await store.list(prefix)).toEqual([`${prefix}keep`]);
    await expect(store.delete(`${prefix}drop`)).resolves.toBeUndefined();
    await expect(store.delete(`${prefix}never-written`)).resolves.toBeUndefined();
  });

  test('buffers are copies: changing one after put or after get does not change the object', async () => {
    const body = Buffer.from('original');
    await store.put(`${prefix}copy`, body);
    body.write('CHANGED!');
    const first = (await store.get(`${prefix}copy`))!;
    first.write('mutated!');
    expect((await store.get(`${prefix}copy`))?.toString()).toBe('original');
  });

  test('putStream stores the concatenation of the chunks', async () => {
    const chunks = [randomBytes(100_000), Buffer.alloc(0), randomBytes(7), randomBytes(300_001)];
    await store.putStream(`${prefix}stream.bin`, Readable.from(chunks));
    expect((await store.get(`${prefix}stream.bin`))?.equals(Buffer.concat(chunks))).toBe(true);
    expect(await store.list(prefix)).toEqual([`${prefix}stream.bin`]);
  });
});
