import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { s3Endpoint, type Config } from '../config';

/** The embedded server's fixed keys (s3rver accepts only these). */
export const EMBEDDED_S3_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The commands that write an object: server-side encryption is asked for on each. */
const WRITES = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'CopyObjectCommand']);

/** The client settings the config gives: endpoint, region, path style, credentials. */
export function s3ClientConfig(c: Config): S3ClientConfig {
  const endpoint = s3Endpoint(c);
  const keys =
    c.s3.accessKeyId && c.s3.secretAccessKey
      ? { accessKeyId: c.s3.accessKeyId, secretAccessKey: c.s3.secretAccessKey }
      : c.s3.embedded
        ? EMBEDDED_S3_KEYS
        : undefined;
  return {
    endpoint,
    region: c.s3.region,
    // Local servers and MinIO need path-style URLs; AWS S3's own endpoint prefers virtual-hosted.
    forcePathStyle: c.s3.forcePathStyle ?? endpoint !== undefined,
    // No keys: the SDK's default chain (environment, shared config and credentials files, SSO,
    // web identity / IRSA, ECS and EC2 instance roles).
    ...(keys ? { credentials: keys } : {}),
    // Local S3 servers do not speak the SDK's default CRC trailers: streamed uploads would be stored
    // with the checksum framing inside the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** An S3 client for the configured service; every write asks for the configured server-side encryption. */
export function makeS3Client(c: Config): S3Client {
  // The SDK warns on every process about its future Node 22 floor; our pinned major works on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client(s3ClientConfig(c));
  const sse = c.s3.serverSideEncryption;
  if (sse) {
    // On the client rather than in each store: every object written through it, by any store or
    // upload, carries the header.
    client.middlewareStack.add(
      (next, context) => (args) => {
        if (!WRITES.has(context.commandName ?? '')) return next(args);
        const kms = sse === 'aws:kms' && c.s3.kmsKeyId ? { SSEKMSKeyId: c.s3.kmsKeyId } : {};
        return next({ ...args, input: { ...args.input, ServerSideEncryption: sse, ...kms } });
      },
      { step: 'initialize', name: 'hyperagentsServerSideEncryption' },
    );
  }
  return client;
}
