import { createHash, randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CorruptObjectError,
  FileObjectStore,
  makeS3Client,
  MemoryObjectStore,
  S3ObjectStore,
  STREAM_VERIFIED_BYTES,
  type ObjectStore,
  type StoredObject,
} from '../../src/storage';
import { stackConfig } from '../helpers/stack';

/**
 * The ObjectStore contract: one suite, run against every implementation, so the in-memory store
 * that unit tests use cannot drift from what the real S3 server (s3rver of the embedded stack) does.
 * Every test writes under its own random prefix and deletes it afterwards; the S3 bucket is shared
 * with every other suite, so no test ever lists outside its prefix.
 */
interface Subject {
  store: ObjectStore;
  /** The object as stored, bytes unchecked, with its metadata (S3: a raw GET). */
  stored(key: string): Promise<StoredObject>;
  /**
   * Writes exactly this object behind the store's back, metadata as given (S3: a raw PUT): a damaged
   * object keeps its old sha256 with new bytes; an object from before hashes were has none.
   */
  storeRaw(key: string, object: StoredObject): Promise<void>;
}

/** Every FileObjectStore root the suites make, removed once they are done. */
const fileRoots: string[] = [];
afterAll(() => {
  for (const root of fileRoots) fs.rmSync(root, { recursive: true, force: true });
});

function fileRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperagents-filestore-'));
  fileRoots.push(root);
  return root;
}

const factories: Array<[name: string, make: () => Subject]> = [
  [
    'MemoryObjectStore',
    () => {
      const store = new MemoryObjectStore();
      return {
        store,
        stored: (key) => Promise.resolve(store.stored(key)!),
        storeRaw: (key, object) => Promise.resolve(store.storeRaw(key, object)),
      };
    },
  ],
  [
    'FileObjectStore (a temporary folder)',
    () => {
      const store = new FileObjectStore(fileRoot());
      return {
        store,
        stored: async (key) => (await store.stored(key))!,
        storeRaw: (key, object) => store.storeRaw(key, object),
      };
    },
  ],
  [
    'S3ObjectStore (s3rver of the stack)',
    () => {
      const c = stackConfig();
      const client = makeS3Client(c);
      const Bucket = c.s3.bucket;
      return {
        store: new S3ObjectStore(client, Bucket),
        stored: async (key) => {
          const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
          const body = Buffer.from((await res.Body?.transformToByteArray()) ?? []);
          const sha256 = res.Metadata?.sha256;
          return { body, contentType: res.ContentType!, ...(sha256 ? { sha256 } : {}) };
        },
        storeRaw: async (key, { body, contentType, sha256 }) => {
          const Metadata = sha256 ? { sha256 } : undefined;
          await client.send(
            new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType, Metadata }),
          );
        },
      };
    },
  ],
];

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

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
    expect((await subject.stored(`${prefix}a.json`)).contentType).toBe('application/json');
    expect((await subject.stored(`${prefix}b.bin`)).contentType).toBe('application/octet-stream');
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

  test('every object carries the sha256 of its bytes: put, empty, and a stream of one part', async () => {
    const written: Array<[string, Buffer]> = [
      [`${prefix}text.json`, Buffer.from('{"héllo":1}', 'utf8')],
      [`${prefix}bytes.bin`, randomBytes(1000)],
      [`${prefix}empty`, Buffer.alloc(0)],
    ];
    await store.put(written[0]![0], written[0]![1].toString('utf8'), 'application/json');
    await store.put(written[1]![0], written[1]![1]);
    await store.put(written[2]![0], written[2]![1]);
    const streamed = [randomBytes(STREAM_VERIFIED_BYTES - 10), randomBytes(10)];
    await store.putStream(`${prefix}stream.bin`, Readable.from(streamed));
    written.push([`${prefix}stream.bin`, Buffer.concat(streamed)]);
    for (const [key, bytes] of written) expect((await subject.stored(key)).sha256).toBe(sha256(bytes));
  }, 30_000);

  test('a record cut short or edited behind the store, its old sha256 kept, is refused naming the key', async () => {
    const key = `${prefix}runs/r/nodes/0/gen-00003.json`;
    const record = JSON.stringify({ nodeId: 'gen-00003', scores: { a: 0.5 } });
    await store.put(key, record, 'application/json');
    const original = await subject.stored(key);
    expect(original.sha256).toBe(sha256(record));
    for (const damaged of [record.slice(0, record.length >> 1), record.replace('0.5', '0.9'), '']) {
      await subject.storeRaw(key, { ...original, body: Buffer.from(damaged) });
      const read = store.get(key);
      await expect(read).rejects.toBeInstanceOf(CorruptObjectError);
      await expect(read).rejects.toMatchObject({
        key,
        message: `${key} is corrupt: its bytes do not match the sha256 stored with them`,
      });
    }
    // Still listed and deletable; a fresh put stores a good object again.
    expect(await store.list(prefix)).toEqual([key]);
    await store.put(key, record, 'application/json');
    expect((await store.get(key))?.toString()).toBe(record);
  });

  test('an object stored without a sha256 (written before hashes were) reads unverified', async () => {
    const key = `${prefix}legacy.json`;
    await subject.storeRaw(key, { body: Buffer.from('{"old":true}'), contentType: 'application/json' });
    expect((await subject.stored(key)).sha256).toBeUndefined();
    expect((await store.get(key))?.toString()).toBe('{"old":true}');
  });

  test('a stream longer than STREAM_VERIFIED_BYTES is stored whole, without a sha256', async () => {
    const chunks = [randomBytes(STREAM_VERIFIED_BYTES), randomBytes(1)];
    await store.putStream(`${prefix}long.bin`, Readable.from(chunks));
    expect((await subject.stored(`${prefix}long.bin`)).sha256).toBeUndefined();
    expect((await store.get(`${prefix}long.bin`))?.equals(Buffer.concat(chunks))).toBe(true);
  }, 30_000);
});

/** What only the file store has: keys become paths, so they must stay under its root. */
describe('FileObjectStore on disk', () => {
  let parent: string;
  let root: string;
  let store: FileObjectStore;

  beforeEach(() => {
    // The root is a folder inside another, so a key that escaped it would land where the test sees it.
    parent = fileRoot();
    root = path.join(parent, 'root');
    store = new FileObjectStore(root);
  });

  /** Every file under `dir`, as paths relative to it. */
  function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => !e.isDirectory())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  }

  test.each([
    ['empty', ''],
    ['absolute', '/etc/passwd'],
    ['absolute, climbing', '/../x'],
    ['climbing out', '../outside'],
    ['climbing out from a folder', 'runs/../../outside'],
    ['a lone ..', '..'],
    ['a . segment', 'runs/./x'],
    ['a doubled /', 'runs//x'],
    ['a trailing /', 'runs/x/'],
    ['a backslash', 'runs\\..\\..\\outside'],
    ['NUL', 'runs/x\0.json'],
    ['a newline', 'runs/x\n.json'],
    ['DEL', 'runs/x\x7f'],
    ['a lone surrogate', 'runs/\ud800'],
    ['a temporary file name', 'runs/.partial~0123456789abcdef'],
    ['a segment too long for a file name', `runs/${'x'.repeat(256)}`],
  ])('a key that could leave the root or alias another is refused, on one line: %s', async (_what, key) => {
    for (const attempt of [
      store.put(key, 'x'),
      store.putStream(key, Readable.from([Buffer.from('x')])),
      store.get(key),
      store.delete(key),
      store.storeRaw(key, { body: Buffer.from('x'), contentType: 'text/plain' }),
    ]) {
      const e = (await attempt.then(
        () => undefined,
        (err: unknown) => err,
      )) as Error | undefined;
      expect(e).toBeInstanceOf(Error);
      expect(e!.message).toMatch(/^FileObjectStore: the key .* (is|has|contains) /);
      expect(e!.message).not.toContain('\n');
    }
    expect(filesUnder(parent)).toEqual([]);
  });

  test('a prefix no key could have lists nothing, and nothing outside the root', async () => {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(parent, 'outside'), 'x');
    await store.put('inside', 'x');
    for (const prefix of ['../', '../o', '/', '//', 'a//', './', '\\', '\0']) {
      expect(await store.list(prefix)).toEqual([]);
    }
    expect(await store.list('')).toEqual(['inside']);
  });

  test('a key is its file under the root; keys that look like sidecars or temporary files are plain keys', async () => {
    await store.put('runs/abc/nodes/x.json', '{"a":1}', 'application/json');
    await store.put('runs/abc/nodes/x.json.sha256', 'not a sidecar');
    await store.put('runs/abc/nodes/x.json.tmp', 'not a temporary file');
    await store.put('runs/abc/.partial', 'a prefix of the temporary files, not one');
    expect(filesUnder(root)).toEqual(
      [
        'runs/abc/.partial',
        'runs/abc/nodes/x.json',
        'runs/abc/nodes/x.json.sha256',
        'runs/abc/nodes/x.json.tmp',
      ].map((k) => path.join(...k.split('/'))),
    );
    expect((await store.get('runs/abc/nodes/x.json.sha256'))?.toString()).toBe('not a sidecar');
    expect(await store.list('runs/ab')).toEqual([
      'runs/abc/.partial',
      'runs/abc/nodes/x.json',
      'runs/abc/nodes/x.json.sha256',
      'runs/abc/nodes/x.json.tmp',
    ]);
  });

  test('temporary files are never listed: one left by a crash, nor those of writes in progress', async () => {
    await store.put('runs/a/x.json', '1');
    fs.writeFileSync(path.join(root, 'runs', 'a', '.partial~deadbeefdeadbeef'), 'left by a crash');
    expect(await store.list('')).toEqual(['runs/a/x.json']);

    const keys = Array.from({ length: 40 }, (_, i) => `runs/a/k${String(i).padStart(2, '0')}`);
    const seen = new Set<string>();
    let writing = true;
    const lister = (async () => {
      while (writing) for (const k of await store.list('runs/')) seen.add(k);
    })();
    for (let round = 0; round < 5; round++)
      await Promise.all(keys.map((k) => store.put(k, randomBytes(20_000))));
    writing = false;
    await lister;
    expect([...seen].filter((k) => !k.startsWith('runs/a/k') && k !== 'runs/a/x.json')).toEqual([]);
    expect(await store.list('runs/a/k')).toEqual(keys);
  });

  test('a file damaged on disk is refused by get as corrupt, naming the key', async () => {
    const key = 'runs/r/nodes/000/gen-00001.json';
    const record = JSON.stringify({ nodeId: 'gen-00001', scores: { a: 0.5 } });
    await store.put(key, record, 'application/json');
    const file = path.join(root, ...key.split('/'));
    const good = fs.readFileSync(file);
    const damaged = [
      Buffer.from(good.toString('utf8').replace('0.5', '0.9')), // an edited byte
      good.subarray(0, good.length - 5), // cut short in the body
      good.subarray(0, 10), // cut short in the header
      Buffer.alloc(0), // left empty by a crash
      Buffer.from(record), // not written by the store: no header
    ];
    for (const bytes of damaged) {
      fs.writeFileSync(file, bytes);
      const read = store.get(key);
      await expect(read).rejects.toBeInstanceOf(CorruptObjectError);
      await expect(read).rejects.toMatchObject({ key });
      await expect(read).rejects.toThrow(new RegExp(`^${key} is corrupt: [^\\n]+$`));
    }
    fs.writeFileSync(file, good);
    expect((await store.get(key))?.toString()).toBe(record);
  });

  test('a key and keys under it as a folder cannot both be stored; a deleted folder leaves no trace', async () => {
    await store.put('a/b', 'under a');
    await expect(store.put('a', 'x')).rejects.toThrow(
      /^FileObjectStore: cannot store "a": other keys are stored under "a\/"/,
    );
    expect(await store.get('a')).toBeUndefined();
    await store.put('c', 'an object');
    await expect(store.put('c/d', 'x')).rejects.toThrow(
      /^FileObjectStore: cannot store "c\/d": a key on its path/,
    );
    expect(await store.get('c/d')).toBeUndefined();
    await expect(store.delete('c/d')).resolves.toBeUndefined();

    // Deleting the last key under `a/` removes the folder, so `a` can be stored again.
    await store.delete('a/b');
    expect(fs.existsSync(path.join(root, 'a'))).toBe(false);
    await store.put('a', 'now an object');
    expect((await store.get('a'))?.toString()).toBe('now an object');
    // Empty folders left behind (by a crash between a mkdir and a write) do not stand in the way either.
    fs.mkdirSync(path.join(root, 'e', 'f'), { recursive: true });
    await store.put('e', 'x');
    expect(await store.list('')).toEqual(['a', 'c', 'e']);
    expect(filesUnder(parent)).toEqual(['root/a', 'root/c', 'root/e']);
  });

  test('concurrent puts and deletes in one folder all land: a delete never removes a folder a put is writing to', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `f/g/k${i}`);
    for (let round = 0; round < 10; round++) {
      await Promise.all(keys.map((k, i) => (i % 2 ? store.put(k, 'x') : store.delete(k))));
      await Promise.all(keys.map((k, i) => (i % 2 ? store.delete(k) : store.put(k, 'y'))));
    }
    expect(await store.list('f/')).toEqual(keys.filter((_, i) => i % 2 === 0).sort());
  });
});
