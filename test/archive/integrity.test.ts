import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Archive, nodeKey } from '../../src/archive';
import { projectRoot } from '../../src/host/assets';
import { readCallLog } from '../../src/llm';
import { CorruptObjectError, makeS3Client, S3ObjectStore } from '../../src/storage';
import { canonicalJson } from '../../src/util/canonical';
import { stackConfig } from '../helpers/stack';
import { freshRunId, full, makeNode, realStore } from './fixtures';

/**
 * Objects damaged in S3 behind the archive's back, their sha256 metadata kept (as a disk fault, a
 * write cut short or a hand edit leaves them), are refused on read with CorruptObjectError naming the
 * key: never parsed as if whole.
 */
const c = stackConfig();
const client = makeS3Client(c);
const Bucket = c.s3.bucket;
const store = realStore();
const archive = new Archive(store, { readConcurrency: 8 });
afterAll(() => store.cleanUp());

/** Rewrites the object's bytes with a raw S3 client, keeping its content type and metadata. */
async function damage(key: string, edit: (text: string) => string): Promise<void> {
  const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
  expect(res.Metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);
  const text = edit(Buffer.from(await res.Body!.transformToByteArray()).toString('utf8'));
  await client.send(
    new PutObjectCommand({
      Bucket,
      Key: key,
      Body: text,
      ContentType: res.ContentType,
      Metadata: res.Metadata,
    }),
  );
}

const cutShort = (text: string) => text.slice(0, text.length >> 1);

function corrupt(key: string): object {
  return {
    name: 'CorruptObjectError',
    key,
    message: `${key} is corrupt: its bytes do not match the sha256 stored with them`,
  };
}

test('a node record cut short in S3 is refused by every read of it, naming the key', async () => {
  const runId = freshRunId();
  await archive.putNode(makeNode(runId, 0, null));
  await archive.putNode(makeNode(runId, 1, 0));
  const key = nodeKey(runId, 'gen-00001');
  await damage(key, cutShort);
  await expect(archive.getNode(runId, 'gen-00001')).rejects.toBeInstanceOf(CorruptObjectError);
  await expect(archive.getNode(runId, 'gen-00001')).rejects.toMatchObject(corrupt(key));
  await expect(archive.listNodes(runId)).rejects.toMatchObject(corrupt(key));
  await expect(archive.lineage(runId, 'gen-00001')).rejects.toMatchObject(corrupt(key));
  await expect(archive.updateNode(runId, 'gen-00001', { barred: true })).rejects.toMatchObject(corrupt(key));
  // The good record beside it still reads.
  expect((await archive.getNode(runId, 'gen-00000'))?.nodeId).toBe('gen-00000');
});

test('the CLI says so in one line, naming the key, and exits 1', async () => {
  const runId = freshRunId();
  await archive.putNode(makeNode(runId, 0, null));
  const key = nodeKey(runId, 'gen-00000');
  await damage(key, cutShort);
  // The built CLI, as a user runs it (make test builds it first).
  for (const args of [
    ['lineage', runId, 'gen-00000'],
    ['archive', runId],
  ]) {
    const failed = await promisify(execFile)(
      process.execPath,
      [path.join(projectRoot, 'bin/hyperagents.js'), ...args],
      {
        env: { ...process.env, HYPERAGENTS_CONFIG: '' },
      },
    ).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr?.trim().split('\n')).toEqual([
      `hyperagents: ${key} is corrupt: its bytes do not match the sha256 stored with them`,
    ]);
  }
}, 60_000);

test('a node record edited in S3 (still valid JSON, a score raised) is refused', async () => {
  const runId = freshRunId();
  await archive.putNode(makeNode(runId, 0, null, { alpha: { train: full(0.25) } }));
  const key = nodeKey(runId, 'gen-00000');
  await damage(key, (text) => text.replace('0.25', '0.95'));
  await expect(archive.getNode(runId, 'gen-00000')).rejects.toMatchObject(corrupt(key));
});

test('reports, partial reports and LLM call records damaged in S3 are refused', async () => {
  const runId = freshRunId();
  const reportKey = await archive.putReport(runId, 'gen-00000', 'alpha', 'train', {
    tasks: [{ id: 't1', score: 1 }],
  });
  await damage(reportKey, (text) => text.replace('"score":1', '"score":0'));
  await expect(archive.getReport(reportKey)).rejects.toMatchObject(corrupt(reportKey));

  const at = { runId, nodeId: 'gen-00000', domain: 'alpha', split: 'train' as const, stage: 'full' };
  await archive.putPartialReport(at, { answers: ['a', 'b', 'c'] });
  const [partialKey] = await store
    .list(`runs/${runId}/`)
    .then((keys) => keys.filter((k) => k.includes('partial')));
  expect(partialKey).toBeDefined();
  await damage(partialKey!, cutShort);
  await expect(archive.getPartialReport(at)).rejects.toMatchObject(corrupt(partialKey!));

  const callKey = `runs/${runId}/llm/gen-00000/call-1.json`;
  await store.put(
    callKey,
    JSON.stringify({ id: 'call-1', startedAt: '2026-01-01T00:00:00Z' }),
    'application/json',
  );
  await damage(callKey, cutShort);
  await expect(readCallLog(store, runId, 'gen-00000')).rejects.toMatchObject(corrupt(callKey));
});

test('a blob edited in S3 under its old sha256 is refused by the store before its address is checked', async () => {
  const key = await archive.putBlob(`program ${freshRunId()}`);
  await damage(key, (text) => text.toUpperCase());
  await expect(new Archive(store).getBlob(key)).rejects.toMatchObject(corrupt(key));
});

test('a node record written before hashes were (no sha256 metadata) still reads, unverified', async () => {
  const runId = freshRunId();
  const node = makeNode(runId, 0, null);
  const key = nodeKey(runId, 'gen-00000');
  await client.send(
    new PutObjectCommand({ Bucket, Key: key, Body: canonicalJson(node), ContentType: 'application/json' }),
  );
  store.putKeys.push(key);
  expect(await archive.getNode(runId, 'gen-00000')).toEqual(node);
});

test('reads racing rewrites of a record (s3rver rewrites in place) read again and see whole versions', async () => {
  const runId = freshRunId();
  const first = canonicalJson(makeNode(runId, 0, null));
  await archive.putNode(makeNode(runId, 0, null));
  const key = nodeKey(runId, 'gen-00000');
  // Versions of very different lengths, so a read of a rewrite in progress is cut short or torn.
  const versions = [0, 1, 2, 3].map((i) =>
    canonicalJson(makeNode(runId, 0, null, {}, { barredReason: 'x'.repeat(i % 2 ? 200_000 : 10) + i })),
  );
  const reader = new S3ObjectStore(client, Bucket);
  let writing = true;
  const writer = (async () => {
    // Rewrites as updateNode makes them: one at a time, with time between (not back to back).
    for (let i = 0; i < 12; i++) {
      await store.put(key, versions[i % versions.length]!, 'application/json');
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    writing = false;
  })();
  while (writing) expect([first, ...versions]).toContain((await reader.get(key))!.toString('utf8'));
  await writer;
}, 60_000);
