/**
 * How fast the archive serves a generation at scale, on the real S3 server: writes N small node
 * records under a throwaway run id, times a whole read (`listNodes` without a view, what every
 * generation did before the change log, and what a worker does once per run), then runs
 * GENERATIONS generations' archive steps as the engine does them with the run's change log: parent
 * selection (listNodes with the view, the snapshot, score_child_prop, the selection record), the
 * meta agent's history (listNodes, trainHistoryOf) and the archive update (the child's record
 * written, then its scores). Deletes the records. Prints a Markdown table of medians and maxima.
 * Needs the stack up (`hyperagents dev up`).
 * Run after a build: `node dist/bench/archive-reads.js [N ...]` (default 100 1000 10000).
 */
import { randomUUID } from 'crypto';
import { Archive, nodeIdFor, selectionSnapshotOf, trainHistoryOf, type NodeRecord } from '../src/archive';
import { newArchiveLog, noteChange } from '../src/archive/changes';
import { median } from '../src/report/stats';
import { rngFor, selectParent } from '../src/selection';
import { mapLimit } from '../src/util/concurrency';
import { loadConfig } from '../src/config';
import { makeS3Client, S3ObjectStore } from '../src/storage';

const DOMAINS = ['alpha', 'beta'];
const WRITE_CONCURRENCY = 32;
const GENERATIONS = 20;

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

/** `median / max` of millisecond timings. */
const ms = (xs: number[]): string => `${median(xs)!.toFixed(1)} / ${Math.max(...xs).toFixed(1)}`;

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
    const eligible = selectionSnapshotOf(nodes, DOMAINS).candidates.filter((c) => c.eligible).length;

    // The worker's first generation of the run reads it whole; the timed ones follow it.
    let log = noteChange(newArchiveLog(runId), [nodeIdFor(n - 1)]);
    await archive.listNodes(runId, { ...log, inFlight: [] });
    const select: number[] = [];
    const history: number[] = [];
    const update: number[] = [];
    for (let g = n; g < n + GENERATIONS; g++) {
      const view = { ...log, inFlight: [] };
      t = process.hrtime.bigint();
      const snapshot = selectionSnapshotOf(await archive.listNodes(runId, view), DOMAINS);
      const chosen = selectParent('score_child_prop', snapshot, rngFor(runId, g));
      await archive.putSelectionRecord(runId, nodeIdFor(g), { generation: g, ...chosen });
      select.push(seconds(t) * 1000);

      t = process.hrtime.bigint();
      trainHistoryOf(await archive.listNodes(runId, view), chosen.nodeId, DOMAINS);
      history.push(seconds(t) * 1000);

      t = process.hrtime.bigint();
      const { scores, ...draft } = node(runId, g);
      await archive.putNode({ ...draft, parentId: chosen.nodeId, scores: {} });
      await archive.updateNode(runId, nodeIdFor(g), { scores });
      update.push(seconds(t) * 1000);
      log = noteChange(log, [nodeIdFor(g), chosen.nodeId]);
    }
    return (
      `| ${n} | ${writeS.toFixed(2)} | ${readS.toFixed(2)} | ${Math.round(n / readS)} | ${eligible} | ` +
      `${ms(select)} | ${ms(history)} | ${ms(update)} | ${ms(select.map((x, i) => x + update[i]!))} |`
    );
  } finally {
    await archive.deleteRunRecords(runId);
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const config = loadConfig();
  const archive = new Archive(new S3ObjectStore(makeS3Client(config), config.s3.bucket));
  console.log(
    `Per generation over ${GENERATIONS} generations with the run's change log: median / max ms.\n\n` +
      '| nodes | write s | whole read s | nodes/s (whole read) | eligible | selection ms | meta history ms | archive update ms | selection + update ms |\n' +
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const n of sizes.length > 0 ? sizes : [100, 1000, 10000]) console.log(await benchOne(archive, n));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
