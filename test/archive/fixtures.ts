import { randomUUID } from 'crypto';
import type { Readable } from 'stream';
import { nodeIdFor, type NodeRecord, type NodeScores, type SplitScore } from '../../src/archive';
import { makeS3Client, S3ObjectStore, type ObjectStore } from '../../src/storage';
import { stackConfig } from '../helpers/stack';

/**
 * The real S3 store, wrapped to count puts (to prove uploads are skipped) and gets (to prove reads
 * are), and to remember every key written so a test can delete exactly what it made.
 */
export class TrackingStore implements ObjectStore {
  readonly putKeys: string[] = [];
  readonly getKeys: string[] = [];
  constructor(private readonly inner: ObjectStore) {}
  async put(key: string, body: Buffer | string, contentType?: string): Promise<void> {
    this.putKeys.push(key);
    await this.inner.put(key, body, contentType);
  }
  async putStream(key: string, body: Readable): Promise<void> {
    this.putKeys.push(key);
    await this.inner.putStream(key, body);
  }
  get(key: string): Promise<Buffer | undefined> {
    this.getKeys.push(key);
    return this.inner.get(key);
  }
  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  /** Deletes every key this wrapper wrote. */
  async cleanUp(): Promise<void> {
    for (const key of new Set(this.putKeys)) await this.inner.delete(key);
  }
}

export function realStore(): TrackingStore {
  const c = stackConfig();
  return new TrackingStore(new S3ObjectStore(makeS3Client(c), c.s3.bucket));
}

export function freshRunId(): string {
  return `test-${randomUUID()}`;
}

export function full(score: number, total = 10): SplitScore {
  return { score, basis: 'full', evaluated: total, total };
}

/** A valid, non-empty-patch node with the given scores; `over` replaces any field. */
export function makeNode(
  runId: string,
  generation: number,
  parentGeneration: number | null,
  scores: NodeScores = {},
  over: Partial<NodeRecord> = {},
): NodeRecord {
  return {
    runId,
    nodeId: nodeIdFor(generation),
    parentId: parentGeneration === null ? null : nodeIdFor(parentGeneration),
    generation,
    createdAt: '2026-01-01T00:00:00.000Z',
    snapshotKey: `blobs/sha256/${'0'.repeat(64)}`,
    patchEmpty: parentGeneration === null,
    changedPaths: parentGeneration === null ? [] : ['task_agent.mjs'],
    metaChanged: false,
    strategy: parentGeneration === null ? 'seed' : 'offline',
    metaOutcome: 'ok',
    validation: { passed: true, reasons: [] },
    revertedPaths: [],
    scores,
    costUsd: 0,
    tokens: 0,
    ...over,
  };
}
