import { createHash } from 'crypto';

/**
 * Every object the project writes carries the sha256 of its bytes, as the user metadata
 * `x-amz-meta-sha256` on S3 (the SDK's `Metadata.sha256`), and every read checks it: a truncated,
 * torn or edited object is refused with CorruptObjectError instead of being parsed. An object
 * written before this (no such metadata) is read unverified, not refused, so archives of older runs
 * stay readable.
 */
export const SHA256_METADATA = 'sha256';

/**
 * `putStream` buffers up to this many bytes and stores them with one verified `put`; a longer stream
 * goes up as a multipart upload, unverified: S3 takes an upload's metadata when it begins, before
 * any byte is known, and adding it afterwards would be a second write (a copy of the object onto
 * itself) racing any other writer of the key. 5 MiB is S3's smallest multipart part, below which an
 * upload is a single PUT anyway.
 */
export const STREAM_VERIFIED_BYTES = 5 * 2 ** 20;

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A stored object's bytes do not match the sha256 written with them (cut short, torn by a write in
 * progress, edited behind the store's back), still so after the store read it again. Permanent: a
 * retry of the work reads the same bytes. The message names the key, on one line.
 */
export class CorruptObjectError extends Error {
  override name = 'CorruptObjectError';
  constructor(
    readonly key: string,
    message = `${key} is corrupt: its bytes do not match the sha256 stored with them`,
  ) {
    super(message);
  }
}

/**
 * Whether bytes read back match the sha256 stored with them. `stored` undefined, an object written
 * before hashes were (or streamed past STREAM_VERIFIED_BYTES), passes unverified: it is not refused.
 */
export function matchesStoredHash(bytes: Buffer, stored: string | undefined): boolean {
  return stored === undefined || sha256Hex(bytes) === stored.toLowerCase();
}
