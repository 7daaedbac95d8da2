import type { Split } from '../domains/contract';

/**
 * The S3 layout. Blobs are content addressed and shared by all runs; everything else sits under the
 * run. Ids are checked so a key never gains an extra `/` level or a `..` from user input.
 */

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const NODE_ID = /^gen-(\d{5,})$/;
const HEX = /^[0-9a-f]{64}$/;
/** A name that may be one key segment: no `/`, no leading dot, no `..`. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class ArchiveKeyError extends Error {
  override name = 'ArchiveKeyError';
}

export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId) || runId.includes('..')) {
    throw new ArchiveKeyError(`run id '${runId}' must be 1-128 characters of A-Z a-z 0-9 . _ - (no '..')`);
  }
  return runId;
}

/** `gen-00042`: the node made by generation 42 (one node per generation). */
export function nodeIdFor(generation: number): string {
  if (!Number.isInteger(generation) || generation < 0) {
    throw new ArchiveKeyError(`generation ${generation} must be an integer >= 0`);
  }
  return `gen-${String(generation).padStart(5, '0')}`;
}

/** The generation encoded in a node id; throws on anything that is not `gen-<digits>`. */
export function generationOf(nodeId: string): number {
  const m = NODE_ID.exec(nodeId);
  if (!m) throw new ArchiveKeyError(`node id '${nodeId}' must look like gen-00042`);
  return Number(m[1]);
}

export function checkNodeId(nodeId: string): string {
  if (nodeIdFor(generationOf(nodeId)) !== nodeId) {
    throw new ArchiveKeyError(
      `node id '${nodeId}' is not canonical (expected ${nodeIdFor(generationOf(nodeId))})`,
    );
  }
  return nodeId;
}

export const BLOB_PREFIX = 'blobs/sha256/';

/** The object `hyperagents smoke` writes and reads back. */
export function smokeKey(runId: string): string {
  return `smoke/${checkRunId(runId)}.json`;
}

export function blobKey(sha256Hex: string): string {
  if (!HEX.test(sha256Hex)) throw new ArchiveKeyError(`'${sha256Hex}' is not a sha256 hex digest`);
  return `${BLOB_PREFIX}${sha256Hex}`;
}

/** The digest a blob key names; throws when the key is not a blob key. */
export function blobDigest(key: string): string {
  const hex = key.startsWith(BLOB_PREFIX) ? key.slice(BLOB_PREFIX.length) : '';
  if (!HEX.test(hex)) throw new ArchiveKeyError(`'${key}' is not a blob key (${BLOB_PREFIX}<sha256 hex>)`);
  return hex;
}

export function runPrefix(runId: string): string {
  return `runs/${checkRunId(runId)}/`;
}

export function nodesPrefix(runId: string): string {
  return `${runPrefix(runId)}nodes/`;
}

/**
 * Node records are sharded by generation, 1000 to a folder (`nodes/000/` holds gen 0-999), so every
 * listing of node ids is one page of an S3 listing (1,000 keys), whatever the size of the run. The
 * layout dates from when the embedded S3 server could not page at all (src/devstack/s3.ts); stored
 * runs use it, so it stays.
 */
export const NODES_PER_SHARD = 1000;

export function nodeShardPrefix(runId: string, shard: number): string {
  if (!Number.isInteger(shard) || shard < 0)
    throw new ArchiveKeyError(`shard ${shard} must be an integer >= 0`);
  return `${nodesPrefix(runId)}${String(shard).padStart(3, '0')}/`;
}

/** `runs/<runId>/nodes/<shard>/<nodeId>.json`, shard = floor(generation / 1000). */
export function nodeKey(runId: string, nodeId: string): string {
  const shard = Math.floor(generationOf(checkNodeId(nodeId)) / NODES_PER_SHARD);
  return `${nodeShardPrefix(runId, shard)}${nodeId}.json`;
}

/** The folder of one node's evaluation reports. */
export function reportsPrefix(runId: string, nodeId: string): string {
  return `${runPrefix(runId)}reports/${checkNodeId(nodeId)}/`;
}

function checkSegment(what: string, name: string): string {
  if (!SEGMENT.test(name) || name.includes('..'))
    throw new ArchiveKeyError(`${what} '${name}' cannot be part of a key`);
  return name;
}

export function reportKey(runId: string, nodeId: string, domain: string, split: Split): string {
  return `${reportsPrefix(runId, nodeId)}${checkSegment('domain name', domain)}-${split}.json`;
}

/**
 * The answers one stage of a split's evaluation got so far (`staged`, `rest`, `full`), saved as they
 * arrive so a retried stage runs only the tasks that have none.
 */
export function partialReportKey(runId: string, nodeId: string, domain: string, split: Split, stage: string) {
  return `${reportsPrefix(runId, nodeId)}${checkSegment('domain name', domain)}-${split}-${checkSegment('stage', stage)}.partial.json`;
}

/** The record of how a generation's parent was chosen (rule, distribution, any fallback). */
export function selectionKey(runId: string, nodeId: string): string {
  return `${runPrefix(runId)}selection/${checkNodeId(nodeId)}.json`;
}

/**
 * The LLM calls of one gateway session: `runs/<run>/llm/<session>/`. The session is a node id in an
 * evolution, or a label such as the program folder's name for `hyperagents eval`.
 */
export function llmCallsPrefix(runId: string, session: string): string {
  return `${runPrefix(runId)}llm/${checkSegment('LLM session name', session)}/`;
}

export function llmCallKey(runId: string, session: string, callId: string): string {
  return `${llmCallsPrefix(runId, session)}${checkSegment('LLM call id', callId)}.json`;
}

// ---- releases -------------------------------------------------------------------------------------

/**
 * Releases (issue 13, src/engine/promote.ts): promoted nodes, copied out of the run archive. `base`
 * is '' in production; tests pass a private folder (`test-<uuid>/`) so their numbering is their own.
 *
 * - `releases/<id>/`: one release, immutable: `program.json`, `node.json`, `scores.json`,
 *   `approval.json`, `diff.patch`, and `manifest.json`, written last: a release exists once its
 *   manifest does.
 * - `release-claims/numbers/<id>/<claim>.json`: who holds release number `<id>` (see promote.ts).
 * - `release-claims/nodes/<run>/<node>/<id>.json`: which release a node was promoted as.
 */
const RELEASE_ID = /^r(\d{4,})$/;
const BASE = /^([A-Za-z0-9][A-Za-z0-9._-]*\/)*$/;

export function releaseIdFor(n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new ArchiveKeyError(`release number ${n} must be an integer >= 1`);
  return `r${String(n).padStart(4, '0')}`;
}

/** The number in a release id; throws on anything that is not `r0001`-shaped and canonical. */
export function releaseNumberOf(releaseId: string): number {
  const m = RELEASE_ID.exec(releaseId);
  if (!m || releaseIdFor(Number(m[1])) !== releaseId)
    throw new ArchiveKeyError(`release id '${releaseId}' must look like r0001`);
  return Number(m[1]);
}

function checkBase(base: string): string {
  if (!BASE.test(base) || base.includes('..'))
    throw new ArchiveKeyError(`release base '${base}' must be '' or folders ending in '/'`);
  return base;
}

export function releasesPrefix(base = ''): string {
  return `${checkBase(base)}releases/`;
}

export const RELEASE_FILES = [
  'program.json',
  'node.json',
  'scores.json',
  'approval.json',
  'diff.patch',
  'manifest.json',
] as const;
export type ReleaseFile = (typeof RELEASE_FILES)[number];

export function releaseKey(releaseId: string, file: ReleaseFile, base = ''): string {
  releaseNumberOf(releaseId);
  return `${releasesPrefix(base)}${releaseId}/${file}`;
}

export function releaseNumberClaimsPrefix(releaseId: string, base = ''): string {
  releaseNumberOf(releaseId);
  return `${checkBase(base)}release-claims/numbers/${releaseId}/`;
}

export function releaseNumberClaimsRoot(base = ''): string {
  return `${checkBase(base)}release-claims/numbers/`;
}

export function releaseNodeClaimsPrefix(runId: string, nodeId: string, base = ''): string {
  return `${checkBase(base)}release-claims/nodes/${checkRunId(runId)}/${checkNodeId(nodeId)}/`;
}
