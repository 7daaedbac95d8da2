import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { CorruptObjectError, matchesStoredHash, sha256Hex, STREAM_VERIFIED_BYTES } from './integrity';
import type { StoredObject } from './memoryStore';
import type { ObjectStore } from './objectStore';

/**
 * Temporary files live next to their object, so the rename that publishes one never crosses a file
 * system. No key may have a segment starting with this, so a temporary file is never taken for an
 * object (by `list`) and no object can be overwritten by one.
 */
const TEMP_PREFIX = '.partial~';

/** Most file systems refuse a longer file name; refused up front so the error names the key. */
const MAX_SEGMENT_BYTES = 255;

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Why a key segment cannot name a file under the root, or undefined when it can. */
function segmentProblem(segment: string): string | undefined {
  if (segment === '') return "has an empty segment (a leading, trailing or doubled '/')";
  // They would alias another key (`a/./b` is `a/b`) or climb out of the root.
  if (segment === '.' || segment === '..') return "has a '.' or '..' segment";
  if (segment.startsWith(TEMP_PREFIX))
    return `has a segment starting with '${TEMP_PREFIX}', which names the store's temporary files`;
  if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES)
    return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  return undefined;
}

/** Why a key cannot name a file under the root, or undefined when it can. */
function keyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (key.startsWith('/')) return 'is absolute';
  // A backslash is a separator on Windows; lone surrogates would be written as U+FFFD, so two keys
  // could share one file; control characters have no business in a file name.
  if (key.includes('\\')) return 'contains a backslash';
  if (/\p{Cc}/u.test(key)) return 'contains a control character';
  if (/\p{Cs}/u.test(key)) return 'is not well-formed Unicode (a lone surrogate)';
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) return problem;
  }
  return undefined;
}

/** The key's segments; throws, on one line (JSON quoting escapes whatever the key holds), when refused. */
function checkKey(key: string): string[] {
  const problem = keyProblem(key);
  if (problem) throw new Error(`FileObjectStore: the key ${JSON.stringify(key)} ${problem}`);
  return key.split('/');
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** A key that is not stored here: nothing at its path, or a folder of other keys, or a path through an object. */
function isAbsent(e: unknown): boolean {
  const code = errorCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * Removes `dir` if it holds nothing but folders, bottom up; throws if it holds a file. Only rmdir
 * removes anything, and it refuses a folder that is not empty, so a file a concurrent write puts
 * there is never lost: the removal fails instead.
 */
async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyFolders(path.join(dir, entry.name));
  }
  await fs.promises.rmdir(dir);
}

function asBuffer(chunk: unknown): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
}

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The metadata S3 keeps beside an object, here the first line of its file: one file holds bytes and
 * sha256 together, so the single rename that replaces it can never pair new bytes with an old hash
 * (a sidecar file would need a second rename, and a read between the two would see a mismatch).
 */
function encodeHeader(object: Omit<StoredObject, 'body'>): Buffer {
  const { contentType, sha256 } = object;
  return Buffer.from(`${JSON.stringify(sha256 === undefined ? { contentType } : { contentType, sha256 })}\n`);
}

function decode(key: string, file: Buffer): StoredObject {
  const end = file.indexOf(0x0a);
  let header: unknown;
  try {
    header = end < 0 ? undefined : JSON.parse(file.subarray(0, end).toString('utf8'));
  } catch {
    header = undefined;
  }
  const h = header as { contentType?: unknown; sha256?: unknown } | undefined;
  if (
    typeof h !== 'object' ||
    h === null ||
    typeof h.contentType !== 'string' ||
    (h.sha256 !== undefined && typeof h.sha256 !== 'string')
  ) {
    // Cut short before its header ended, or not written by this store: as unusable as a hash mismatch.
    throw new CorruptObjectError(key, `${key} is corrupt: its file does not begin with a readable header`);
  }
  return {
    body: file.subarray(end + 1),
    contentType: h.contentType,
    ...(typeof h.sha256 === 'string' ? { sha256: h.sha256 } : {}),
  };
}

/**
 * An ObjectStore in a local folder, for running the engine's services in one process without an S3
 * server. It behaves as the other stores do (test/storage/objectStore.contract.test.ts runs one
 * suite on all of them): a missing key reads as undefined, deleting one is not an error, a listing
 * is every key starting with the prefix (a string prefix, nested keys included) in UTF-8 byte order,
 * and every object carries the sha256 of its bytes, checked on read (src/storage/integrity.ts).
 *
 * Key `a/b/c` is the file `<root>/a/b/c`: its first line a JSON header (content type, sha256), then
 * the bytes. A key that could leave the root or alias another key is refused with an Error. Each
 * write goes to a temporary file in the object's folder and is renamed over the object, so a reader
 * sees the old object or the new one, whole; a write is not fsynced (the store serves benchmarks,
 * whose timings a sync per object would distort), so a machine crash can leave a short file, which
 * then reads as corrupt rather than as other bytes. Since one path cannot be a file and a folder at
 * once, `a` and `a/b` cannot both be stored: the second put is refused (no key of the archive is
 * another's folder). The root must be on a case-sensitive file system (`A` and `a` are two keys).
 */
export class FileObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async put(key: string, body: Buffer | string, contentType = DEFAULT_CONTENT_TYPE): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.write(key, [encodeHeader({ contentType, sha256: sha256Hex(bytes) }), bytes]);
  }

  /** As S3ObjectStore does: one verified put up to STREAM_VERIFIED_BYTES, past it the rest streamed, unverified. */
  async putStream(key: string, body: Readable): Promise<void> {
    checkKey(key);
    const source = body[Symbol.asyncIterator]() as AsyncIterator<unknown>;
    try {
      const head: Buffer[] = [];
      let size = 0;
      while (size <= STREAM_VERIFIED_BYTES) {
        const next = await source.next();
        if (next.done) return await this.put(key, Buffer.concat(head));
        const chunk = asBuffer(next.value);
        head.push(chunk);
        size += chunk.length;
      }
      async function* whole(): AsyncGenerator<Buffer> {
        yield encodeHeader({ contentType: DEFAULT_CONTENT_TYPE });
        yield* head;
        for (let next = await source.next(); !next.done; next = await source.next())
          yield asBuffer(next.value);
      }
      await this.write(key, whole());
    } finally {
      await source.return?.(); // a failed write leaves the caller's stream closed, not dangling
    }
  }

  /** A rename replaces a file whole, so no read sees half a write: a mismatch is refused at once, without S3ObjectStore's rereads. */
  async get(key: string): Promise<Buffer | undefined> {
    const o = await this.stored(key);
    if (o === undefined) return undefined;
    if (!matchesStoredHash(o.body, o.sha256)) throw new CorruptObjectError(key);
    return o.body;
  }

  async list(prefix: string): Promise<string[]> {
    // Start at the deepest folder the prefix names whole; a prefix whose folder no key could have
    // matches nothing, and is never joined to the root.
    const cut = prefix.lastIndexOf('/');
    const folder = cut < 0 ? [] : prefix.slice(0, cut).split('/');
    if (/[\\\p{Cc}\p{Cs}]/u.test(prefix) || folder.some((s) => segmentProblem(s) !== undefined)) return [];
    const keys: string[] = [];
    await this.walk(path.join(this.root, ...folder), folder.map((s) => `${s}/`).join(''), prefix, keys);
    return keys.sort(byUtf8);
  }

  async delete(key: string): Promise<void> {
    const file = this.fileOf(key);
    try {
      await fs.promises.unlink(file);
    } catch (e) {
      if (isAbsent(e)) return;
      throw e;
    }
    // Folders left empty go too: one left behind would stop a later put of the key that names it.
    for (let dir = path.dirname(file); dir !== this.root; dir = path.dirname(dir)) {
      try {
        await fs.promises.rmdir(dir);
      } catch {
        break; // not empty (or already gone): so is every folder above it
      }
    }
  }

  /** The object as stored, bytes unchecked, with its metadata; undefined for a missing key. */
  async stored(key: string): Promise<StoredObject | undefined> {
    let file: Buffer;
    try {
      file = await fs.promises.readFile(this.fileOf(key));
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
    return decode(key, file);
  }

  /**
   * Stores exactly this object, metadata as given and unchecked: for tests of damaged objects (new
   * bytes under the old sha256) and of objects written before hashes were (no sha256).
   */
  async storeRaw(key: string, object: StoredObject): Promise<void> {
    await this.write(key, [encodeHeader(object), object.body]);
  }

  private fileOf(key: string): string {
    return path.join(this.root, ...checkKey(key));
  }

  /** Writes `data` to a temporary file beside the object, then renames it over the object. */
  private async write(key: string, data: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
    const file = this.fileOf(key);
    const dir = path.dirname(file);
    const conflict = (what: string) =>
      new Error(
        `FileObjectStore: cannot store ${JSON.stringify(key)}: ${what} (a file cannot be a folder too)`,
      );
    let temp = '';
    let out: fs.promises.FileHandle | undefined;
    for (let attempt = 1; out === undefined; attempt++) {
      temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      try {
        await fs.promises.mkdir(dir, { recursive: true });
        out = await fs.promises.open(temp, 'wx');
      } catch (e) {
        const code = errorCode(e);
        // A delete emptied and removed the folder between the mkdir and the open: make it again.
        if (code === 'ENOENT' && attempt < 5) continue;
        if (code === 'ENOTDIR' || code === 'EEXIST')
          throw conflict('a key on its path is stored as an object');
        throw e;
      }
    }
    try {
      try {
        await fs.promises.writeFile(out, data);
      } finally {
        await out.close();
      }
      try {
        await fs.promises.rename(temp, file);
      } catch (e) {
        if (errorCode(e) !== 'EISDIR') throw e;
        // A folder at the key's path: one of empty folders is a leftover (of a crash between a mkdir
        // and a write) and goes; one holding any file is a conflict.
        const underIt = () => conflict(`other keys are stored under ${JSON.stringify(`${key}/`)}`);
        await removeEmptyFolders(file).catch(() => {
          throw underIt();
        });
        await fs.promises.rename(temp, file).catch((again: unknown) => {
          throw errorCode(again) === 'EISDIR' ? underIt() : again; // a put under it made the folder again
        });
      }
    } catch (e) {
      await fs.promises.rm(temp, { force: true });
      throw e;
    }
  }

  private async walk(dir: string, keyPrefix: string, prefix: string, keys: string[]): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isAbsent(e)) return; // no such folder, or one a concurrent delete removed
      throw e;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) {
        const under = `${key}/`;
        if (under.startsWith(prefix) || prefix.startsWith(under))
          await this.walk(path.join(dir, entry.name), under, prefix, keys);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        keys.push(key);
      }
    }
  }
}
