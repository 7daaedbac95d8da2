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
    const c = this.config();
    return new Archive(new S3ObjectStore(makeS3Client(c), c.s3.bucket));
  }

  async close(): Promise<void> {
    await this.client?.connection.close();
  }
}
