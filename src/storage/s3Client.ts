import { S3Client } from '@aws-sdk/client-s3';
import { s3Endpoint, type Config } from '../config';

/** An S3 client for the configured endpoint (path-style, as local servers and MinIO need). */
export function makeS3Client(c: Config): S3Client {
  // The SDK warns on every process about its future Node 22 floor; our pinned major works on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    endpoint: s3Endpoint(c),
    region: c.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: c.s3.accessKeyId, secretAccessKey: c.s3.secretAccessKey },
    // Local S3 servers do not speak the SDK's default CRC trailers: streamed uploads would be stored
    // with the checksum framing inside the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
