import type { Client } from '@temporalio/client';
import { connectClient } from '../../temporal/connection';
import { Archive } from '../archive';
import type { LoadedConfig } from '../config';
import { makeS3Client, S3ObjectStore } from '../storage';

/** Lazily opened connections a command needs; closed once the command ends. */
export class CliContext {
  private client?: Client;

  constructor(readonly config: () => LoadedConfig) {}

  async temporal(): Promise<Client> {
    this.client ??= await connectClient(this.config());
    return this.client;
  }

  archive(): Archive {
    return new Archive(this.store());
  }

  /** The bucket itself (releases live beside the archive: src/engine/promote.ts). */
  store(): S3ObjectStore {
    const c = this.config();
    return new S3ObjectStore(makeS3Client(c), c.s3.bucket);
  }

  async close(): Promise<void> {
    await this.client?.connection.close();
  }
}
