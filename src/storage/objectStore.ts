import { Readable } from 'stream';
import { setTimeout as sleep } from 'timers/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  CorruptObjectError,
  matchesStoredHash,
  SHA256_METADATA,
  sha256Hex,
  STREAM_VERIFIED_BYTES,
} from './integrity';

/**
 * The small storage surface the rest of the project uses; S3 is one implementation. Objects carry
 * the sha256 of their bytes and reads check it (src/storage/integrity.ts).
 */
export interface ObjectStore {
  /** Stores the bytes with their sha256. */
  put(key: string, body: Buffer | string, contentType?: string): Promise<void>;
  /** Stores a stream: with its sha256 up to STREAM_VERIFIED_BYTES, unverified beyond. */
  putStream(key: string, body: Readable): Promise<void>;
  /**
   * The object's bytes, or undefined when there is no such key. Throws CorruptObjectError, naming
   * the key, when the bytes do not match the sha256 stored with them; an object stored without one
   * (written before hashes were) is returned unverified.
   */
  get(key: string): Promise<Buffer | undefined>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}

/** The server closed the connection mid-response (s3rver, when the file shrank under a read). */
function isCutOff(e: unknown): boolean {
  return (e as { code?: string }).code === 'ECONNRESET';
}

function asBuffer(chunk: unknown): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
}

export interface S3ObjectStoreOptions {
  /** Reads of an object whose bytes do not match its sha256 (or whose transfer is cut off) before it is refused (default 4). */
  readonly readAttempts?: number;
  /** The pause before the second read, doubled for each further one (default 50 ms: 350 ms in all). */
  readonly rereadDelayMs?: number;
}

export class S3ObjectStore implements ObjectStore {
  private readonly readAttempts: number;
  private readonly rereadDelayMs: number;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    options: S3ObjectStoreOptions = {},
  ) {
    this.readAttempts = Math.max(1, options.readAttempts ?? 4);
    this.rereadDelayMs = Math.max(0, options.rereadDelayMs ?? 50);
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        Metadata: { [SHA256_METADATA]: sha256Hex(bytes) },
      }),
    );
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const source = body[Symbol.asyncIterator]() as AsyncIterator<unknown>;
    const head: Buffer[] = [];
    let size = 0;
    while (size <= STREAM_VERIFIED_BYTES) {
      const next = await source.next();
      if (next.done) return this.put(key, Buffer.concat(head));
      const chunk = asBuffer(next.value);
      head.push(chunk);
      size += chunk.length;
    }
    // Past STREAM_VERIFIED_BYTES: the rest streams through a multipart upload, without a sha256.
    async function* whole(): AsyncGenerator<Buffer> {
      yield* head;
      for (let next = await source.next(); !next.done; next = await source.next()) yield asBuffer(next.value);
    }
    try {
      await new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: Readable.from(whole()) },
      }).done();
    } finally {
      await source.return?.(); // a failed upload leaves the caller's stream closed, not dangling
    }
  }

  /**
   * Reads the object and checks its sha256. A mismatch, or a transfer cut off, is read again before
   * it is refused: the embedded server writes an object and then its metadata (each whole, see
   * src/devstack/s3rverStore.ts), so a read between the two sees the new bytes with the old hash;
   * other S3-compatible servers may replace an object in place (a node record once read as "not
   * JSON", and fine on the retry), or close a connection before the length it announced. A mismatch
   * that stays is a CorruptObjectError; a transfer that stays cut off throws its own error.
   */
  async get(key: string): Promise<Buffer | undefined> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.readAttempts;
      const read = await this.read(key).catch((e: unknown) => {
        if (last || !isCutOff(e)) throw e;
        return 'cut off' as const;
      });
      if (read === undefined) return undefined;
      if (read !== 'cut off' && matchesStoredHash(read.bytes, read.sha256)) return read.bytes;
      if (last) throw new CorruptObjectError(key);
      await sleep(this.rereadDelayMs * 2 ** (attempt - 1));
    }
  }

  private async read(key: string): Promise<{ bytes: Buffer; sha256?: string } | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const bytes = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      return { bytes, sha256: res.Metadata?.[SHA256_METADATA] };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    // In key order on every server: s3rver lists in folder order (`x-1` after `x/...`), S3 in byte order.
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
