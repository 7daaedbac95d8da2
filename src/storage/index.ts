export { makeS3Client } from './s3Client';
export { S3ObjectStore, type ObjectStore, type S3ObjectStoreOptions } from './objectStore';
export { MemoryObjectStore, type StoredObject } from './memoryStore';
export { FileObjectStore } from './fileStore';
export {
  CorruptObjectError,
  SHA256_METADATA,
  STREAM_VERIFIED_BYTES,
  matchesStoredHash,
  sha256Hex,
} from './integrity';
