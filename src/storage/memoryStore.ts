import type { Readable } from 'stream';
import type { ObjectStore } from './objectStore';

interface StoredObject {
  body: Buffer;
  contentType: string;
}

/**
 * An ObjectStore in process memory, for tests and tools that need no S3 server. It behaves as
 * S3ObjectStore does against S3 (test/storage/objectStore.contract.test.ts runs one suite on both):
 * a missing key reads as undefined, deleting a missing key is not an error, a listing is every key
 * under the prefix (no delimiter, nested keys included) in S3's order (UTF-8 bytes), and bytes are
 * copied in and out, so a caller mutating a buffer cannot change what is stored.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();

  put(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    this.objects.set(key, { body: bytes, contentType });
    return Promise.resolve();
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array));
    }
    // As on S3, the object appears only once the whole stream has been read.
    this.objects.set(key, { body: Buffer.concat(chunks), contentType: 'application/octet-stream' });
  }

  get(key: string): Promise<Buffer | undefined> {
    const o = this.objects.get(key);
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

  /** The content type given at `put` (S3 keeps it as object metadata); undefined for a missing key. */
  contentType(key: string): string | undefined {
    return this.objects.get(key)?.contentType;
  }
}
