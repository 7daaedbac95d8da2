/**
 * How fast the archive reads a large run back from the real S3 server: writes N small node records
 * under a throwaway run id, then times `listNodes` and the selection snapshot built from them, and
 * deletes the records. Prints a Markdown table. Needs the stack up (`hyperagents dev up`).
 * Run after a build: `node dist/bench/archive-reads.js [N ...]` (default 1000 10000).
 */
import { randomUUID } from 'crypto';
import { Archive, nodeIdFor, selectionSnapshotOf, type NodeRecord } from '../src/archive';
import { mapLimit } from '../src/util/concurrency';
import { loadConfig } from '../src/config';
import { makeS3Client, S3ObjectStore } from '../src/storage';

const DOMAINS = ['alpha', 'beta'];
const WRITE_CONCURRENCY = 32;

function node(runId: string, g: number): NodeRecord {
  const score = (x: number) => ({ score: x, basis: 'full' as const, evaluated: 50, total: 50 });
  return {
    runId,
    nodeId: nodeIdFor(g),
    parentId: g === 0 ? null : nodeIdFor(Math.floor((g - 1) / 3)),
    generation: g,
    createdAt: new Date(Date.UTC(2026, 0, 1) + g * 1000).toISOString(),
    snapshotKey: `blobs/sha256/${'ab'.repeat(32)}`,
    patchKey: g === 0 ? undefined : `blobs/sha256/${'cd'.repeat(32)}`,
    patchEmpty: g === 0,
    changedPaths: g === 0 ? [] : ['task_agent.mjs', 'params.json'],
    metaChanged: g % 7 === 0,
    strategy: g === 0 ? 'seed' : 'offline',
    metaOutcome: 'ok',
    validation: { passed: g % 11 !== 5, reasons: g % 11 === 5 ? ['smoke task timed out'] : [] },
    revertedPaths: [],
    scores: {
      alpha: { train: score((g % 97) / 97), val: score((g % 89) / 89), test: score((g % 83) / 83) },
      beta: { train: score((g % 61) / 61) },
    },
    costUsd: 0,
    tokens: 0,
  };
}

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

async function benchOne(archive: Archive, n: number): Promise<string> {
  const runId = `bench-${randomUUID()}`;
  try {
    let t = process.hrtime.bigint();
    await mapLimit(
      Array.from({ length: n }, (_, g) => g),
      WRITE_CONCURRENCY,
      (g) => archive.putNode(node(runId, g)),
    );
    const writeS = seconds(t);

    t = process.hrtime.bigint();
    const nodes = await archive.listNodes(runId);
    const readS = seconds(t);
    if (nodes.length !== n) throw new Error(`listed ${nodes.length} nodes, wrote ${n}`);

    t = process.hrtime.bigint();
    const snapshot = selectionSnapshotOf(nodes, DOMAINS);
    const snapMs = seconds(t) * 1000;
    const eligible = snapshot.candidates.filter((c) => c.eligible).length;

    return `| ${n} | ${writeS.toFixed(2)} | ${readS.toFixed(2)} | ${snapMs.toFixed(1)} | ${Math.round(n / readS)} | ${eligible} |`;
  } finally {
    await archive.deleteRunRecords(runId);
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const config = loadConfig();
  const archive = new Archive(new S3ObjectStore(makeS3Client(config), config.s3.bucket));
  console.log('| nodes | write s | list+read s | snapshot ms | nodes/s (read) | eligible |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const n of sizes.length > 0 ? sizes : [1000, 10000]) console.log(await benchOne(archive, n));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
