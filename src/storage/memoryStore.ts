import type { Readable } from 'stream';
import { CorruptObjectError, matchesStoredHash, sha256Hex, STREAM_VERIFIED_BYTES } from './integrity';
import type { ObjectStore } from './objectStore';

/** An object as stored: its bytes and metadata (S3 keeps the content type and sha256 as metadata). */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  /** The sha256 written with the bytes; absent for an object stored unverified. */
  readonly sha256?: string;
}

/**
 * An ObjectStore in process memory, for tests and tools that need no S3 server. It behaves as
 * S3ObjectStore does against S3 (test/storage/objectStore.contract.test.ts runs one suite on both):
 * a missing key reads as undefined, deleting a missing key is not an error, a listing is every key
 * under the prefix (no delimiter, nested keys included) in S3's order (UTF-8 bytes), bytes are
 * copied in and out, so a caller mutating a buffer cannot change what is stored, and every object
 * carries the sha256 of its bytes, checked on read (src/storage/integrity.ts). Memory is never read
 * mid-write, so a mismatch is refused at once, without the S3 store's second read.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();

  put(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    this.objects.set(key, { body: bytes, contentType, sha256: sha256Hex(bytes) });
    return Promise.resolve();
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array));
    }
    // As on S3, the object appears only once the whole stream has been read, with its sha256 only
    // when it is short enough for S3ObjectStore to have buffered it.
    const bytes = Buffer.concat(chunks);
    const sha256 = bytes.length <= STREAM_VERIFIED_BYTES ? sha256Hex(bytes) : undefined;
    this.objects.set(key, {
      body: bytes,
      contentType: 'application/octet-stream',
      ...(sha256 ? { sha256 } : {}),
    });
  }

  get(key: string): Promise<Buffer | undefined> {
    const o = this.objects.get(key);
    if (o && !matchesStoredHash(o.body, o.sha256)) return Promise.reject(new CorruptObjectError(key));
    return Promise.resolve(o ? Buffer.from(o.body) : undefined);
  }

  list(prefix: string): Promise<string[]> {
    return Promise.resolve(
      [...this.objects.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))),
    );
  }

  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }

  /** The object as stored, bytes and metadata (a copy); undefined for a missing key. */
  stored(key: string): StoredObject | undefined {
    const o = this.objects.get(key);
    return o ? { ...o, body: Buffer.from(o.body) } : undefined;
  }

  /**
   * Stores exactly this object, metadata as given and unchecked, as a raw S3 PUT behind the store's
   * back would: for tests of damaged objects (new bytes under the old sha256) and of objects
   * written before hashes were (no sha256).
   */
  storeRaw(key: string, object: StoredObject): void {
    this.objects.set(key, { ...object, body: Buffer.from(object.body) });
  }
}
