export { makeS3Client } from './s3Client';
export { S3ObjectStore, type ObjectStore } from './objectStore';
export { MemoryObjectStore } from './memoryStore';
