/**
 * Safer writes for the embedded S3 server. s3rver 3.7.1's filesystem store writes an object's file
 * in place, answers the PUT before the bytes are on disk, and listens for no error on the file: on a
 * full disk the unhandled 'error' kills the server, a write that failed may already have been
 * acknowledged, and a read during a write sees half an object. Here an object is written to a
 * temporary file next to it and renamed over the old one only once all of it is written; its
 * metadata likewise. A failed write is answered as a 500 whose message says what failed (a full
 * disk by name), and the server goes on.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import type { FilesystemStore } from 's3rver';

/** s3rver answers an error with `expose` set with its message (else "We encountered an internal error"). */
function exposed(e: unknown, what: string): Error {
  const err = e as NodeJS.ErrnoException;
  const reason =
    err.code === 'ENOSPC'
      ? 'no space left on device'
      : err.code === 'EDQUOT'
        ? 'disk quota exceeded'
        : (err.message ?? String(e));
  return Object.assign(new Error(`the S3 server could not write ${what}: ${reason}`), { expose: true });
}

/** s3rver's list of the standard headers it keeps as an object's metadata. */
const { ALLOWED_METADATA } = require('s3rver/lib/models/object') as { ALLOWED_METADATA: string[] };

/**
 * Replaces the store's two write methods (the server's `store`, after construction). Temporary files
 * go to `partialDir`, on the same file system as the data but outside it: s3rver lists objects and
 * buckets by reading its folders, and must never meet a file that is about to be renamed.
 */
export function guardWrites(store: FilesystemStore, partialDir: string): void {
  fs.mkdirSync(partialDir, { recursive: true });

  /** Writes `source` (through `seen`, if given) to a temporary file, then renames it over `file`. */
  async function writeWhole(file: string, source: Readable, seen?: Transform): Promise<void> {
    const partial = path.join(partialDir, randomBytes(8).toString('hex'));
    try {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const out = fs.createWriteStream(partial);
      await (seen ? pipeline(source, seen, out) : pipeline(source, out));
      await fs.promises.rename(partial, file);
    } catch (e) {
      await fs.promises.rm(partial, { force: true });
      throw e;
    }
  }

  store.putObject = async (object) => {
    const md5 = createHash('md5');
    let size = 0;
    const seen = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await writeWhole(store.getResourcePath(object.bucket, object.key, 'object'), source, seen);
    } catch (e) {
      throw exposed(e, object.key);
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };

  store.putMetadata = async (bucket, key, metadata, md5) => {
    const kept = Object.fromEntries(
      Object.entries(metadata).filter(([k]) => ALLOWED_METADATA.includes(k) || k.startsWith('x-amz-meta-')),
    );
    try {
      if (md5) await writeWhole(store.getResourcePath(bucket, key, 'object.md5'), Readable.from([md5]));
      await writeWhole(
        store.getResourcePath(bucket, key, 'metadata.json'),
        Readable.from([JSON.stringify(kept, null, 2)]),
      );
    } catch (e) {
      throw exposed(e, `the metadata of ${key}`);
    }
  };
}
