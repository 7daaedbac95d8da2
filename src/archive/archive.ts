import {
  checkProgramPaths,
  diffPrograms,
  metaAgentChanged,
  restoreProtected,
  type ProgramDiff,
  type ProgramFiles,
} from '../agent/program';
import { CorruptObjectError, sha256Hex, type ObjectStore } from '../storage';
import { canonicalJson } from '../util/canonical';
import { mapLimit } from '../util/concurrency';
import {
  blobDigest,
  blobKey,
  checkRunId,
  generationOf,
  nodeIdFor,
  nodeKey,
  nodeShardPrefix,
  partialReportKey,
  reportKey,
  reportsPrefix,
  selectionKey,
} from './keys';
import type { Split } from '../domains/contract';
import { changedSince, type ArchiveView } from './changes';
import { parseNodeRecord, type NodeRecord, type NodeScores } from './record';

/**
 * A stored object is missing or not what it should be. (Bytes that do not match their sha256, or a
 * blob's that do not match its address, are a CorruptObjectError from src/storage.)
 */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** A different record already exists under this node id; the stored one is kept. */
export class NodeConflictError extends Error {
  override name = 'NodeConflictError';
}

export interface ArchiveOptions {
  /** GETs in flight while listing nodes (default 32). */
  readonly readConcurrency?: number;
  /** Runs whose node records `listNodes` keeps between calls with a view (default 4; the least recent goes). */
  readonly cachedRuns?: number;
  /** Bytes of blobs kept after a checked read (default 64 MiB; the least recent go). */
  readonly blobCacheBytes?: number;
}

/** The records of one run as of a revision of its change log. */
interface CachedRun {
  epoch: string;
  revision: number;
  nodes: Map<string, NodeRecord>;
}

/** What `updateNode` may change; identity fields (ids, generation, keys, createdAt) never change. */
export interface NodeUpdate {
  /** Merged per domain and split: a new val score leaves the stored train score in place. */
  readonly scores?: NodeScores;
  readonly validation?: NodeRecord['validation'];
  readonly metaOutcome?: NodeRecord['metaOutcome'];
  readonly approval?: NodeRecord['approval'];
  readonly barred?: boolean;
  readonly barredReason?: string;
  readonly costUsd?: number;
  readonly tokens?: number;
}

/** A child program stored with its patch, ready to go into a NodeRecord. */
export interface StoredChild {
  /** The child as stored: protected paths restored. */
  readonly files: ProgramFiles;
  readonly snapshotKey: string;
  readonly patchKey?: string;
  readonly patchEmpty: boolean;
  readonly changedPaths: string[];
  readonly revertedPaths: string[];
  readonly metaChanged: boolean;
}

function sortByGeneration(nodes: NodeRecord[]): NodeRecord[] {
  return nodes.sort((a, b) => a.generation - b.generation);
}

/** A record without createdAt, canonicalised: what "the same node" means for a retried write. */
function substance(r: NodeRecord): string {
  return canonicalJson({ ...r, createdAt: undefined });
}

function differingFields(a: NodeRecord, b: NodeRecord): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('createdAt');
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  return [...keys].filter((k) => canonicalJson(ra[k]) !== canonicalJson(rb[k])).sort();
}

function mergeScores(stored: NodeScores, update: NodeScores): NodeScores {
  const out: Record<string, NodeScores[string]> = { ...stored };
  for (const [domain, splits] of Object.entries(update)) out[domain] = { ...stored[domain], ...splits };
  return out;
}

/**
 * The run archive in an object store (S3): the storage repository. Pure views over its records
 * (selection snapshot, train history, child counts, lineage) are in `views.ts`. Program snapshots and patches are content-addressed blobs
 * shared by all runs; node records and reports live under `runs/<runId>/`. Every write is keyed so a
 * retried activity lands on the same object.
 *
 * Concurrency: writes to one node are read-check-write, not atomic; the engine writes each node from
 * one generation workflow at a time, which is what makes this safe.
 */
export class Archive {
  private readonly readConcurrency: number;
  private readonly cachedRuns: number;
  /** Node records read with a view, per run, most recently used last. */
  private readonly cache = new Map<string, CachedRun>();
  /**
   * Blobs already read and checked, most recently used last. A blob never changes (its key is its
   * hash), so a generation that reads its program for every evaluation stage reads S3 once.
   */
  private readonly blobs = new Map<string, Buffer>();
  private blobBytes = 0;
  private readonly blobCacheBytes: number;

  constructor(
    private readonly store: ObjectStore,
    options: ArchiveOptions = {},
  ) {
    this.readConcurrency = options.readConcurrency ?? 32;
    this.cachedRuns = Math.max(0, options.cachedRuns ?? 4);
    this.blobCacheBytes = Math.max(0, options.blobCacheBytes ?? 64 * 2 ** 20);
  }

  // ---- blobs ------------------------------------------------------------------------------------

  private async exists(key: string): Promise<boolean> {
    // ObjectStore has no HEAD; a prefix listing of the exact key is one small request.
    return (await this.store.list(key)).includes(key);
  }

  /** Stores bytes under their sha256; skips the upload when that key already exists. */
  async putBlob(content: Buffer | string): Promise<string> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const key = blobKey(sha256Hex(bytes));
    if (!(await this.exists(key))) await this.store.put(key, bytes);
    return key;
  }

  /**
   * The blob's bytes, checked against its address (besides the store's own check against the sha256
   * stored with them, which an object written by hand under the wrong address passes). Throws
   * ArchiveError when missing, CorruptObjectError when the bytes hash to another address.
   */
  async getBlob(key: string): Promise<Buffer> {
    const digest = blobDigest(key);
    const cached = this.blobs.get(key);
    if (cached) {
      this.blobs.delete(key);
      this.blobs.set(key, cached);
      return Buffer.from(cached);
    }
    const bytes = await this.store.get(key);
    if (bytes === undefined) throw new ArchiveError(`blob ${key} does not exist`);
    if (sha256Hex(bytes) !== digest)
      throw new CorruptObjectError(key, `blob ${key} is corrupt: its content hashes differently`);
    this.keepBlob(key, bytes);
    return bytes;
  }

  private keepBlob(key: string, bytes: Buffer): void {
    if (bytes.length > this.blobCacheBytes / 4) return;
    this.blobs.set(key, Buffer.from(bytes));
    this.blobBytes += bytes.length;
    for (const [old, b] of this.blobs) {
      if (this.blobBytes <= this.blobCacheBytes) break;
      this.blobs.delete(old);
      this.blobBytes -= b.length;
    }
  }

  /** Stores a program snapshot (its canonical JSON); the key's digest equals `programHash(files)`. */
  async putProgram(files: ProgramFiles): Promise<string> {
    checkProgramPaths(Object.keys(files));
    return this.putBlob(canonicalJson(files));
  }

  async getProgram(snapshotKey: string): Promise<ProgramFiles> {
    const parsed: unknown = JSON.parse((await this.getBlob(snapshotKey)).toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ArchiveError(`blob ${snapshotKey} is not a program snapshot`);
    }
    const files = parsed as Record<string, unknown>;
    for (const [p, text] of Object.entries(files)) {
      if (typeof text !== 'string') throw new ArchiveError(`blob ${snapshotKey}: '${p}' is not text`);
    }
    checkProgramPaths(Object.keys(files));
    return files as ProgramFiles;
  }

  /**
   * Stores a child after self-modification: protected paths restored to the parent's version, the
   * snapshot and (when non-empty) the unified patch as blobs, and the facts the NodeRecord needs.
   */
  async storeChild(input: {
    readonly parent: ProgramFiles;
    readonly child: ProgramFiles;
    readonly protectedPaths: readonly string[];
    readonly metaPaths?: readonly string[];
  }): Promise<StoredChild> {
    const { files, revertedPaths } = restoreProtected(input.parent, input.child, input.protectedPaths);
    const diff = await diffPrograms(input.parent, files);
    const snapshotKey = await this.putProgram(files);
    const patchEmpty = diff.changedPaths.length === 0;
    const patchKey = patchEmpty ? undefined : await this.putBlob(diff.patch);
    return {
      files,
      snapshotKey,
      ...(patchKey ? { patchKey } : {}),
      patchEmpty,
      changedPaths: diff.changedPaths,
      revertedPaths,
      metaChanged: metaAgentChanged(input.parent, files, input.metaPaths),
    };
  }

  // ---- node records -----------------------------------------------------------------------------

  /**
   * Writes a node record once. Rewriting the same node (equal in everything but createdAt, as a
   * retried activity would) keeps the stored record and returns it with `written: false`. A record
   * that differs in substance is refused with NodeConflictError naming the fields, and the stored
   * one is kept: no silent last-write-wins. Deliberate changes go through `updateNode`.
   */
  async putNode(record: NodeRecord): Promise<{ record: NodeRecord; written: boolean }> {
    const where = `node ${record.runId}/${record.nodeId}`;
    const checked = parseNodeRecord(record, where);
    checkRunId(checked.runId);
    if (checked.nodeId !== nodeIdFor(checked.generation)) {
      throw new NodeConflictError(
        `${where}: generation ${checked.generation} must have id ${nodeIdFor(checked.generation)}`,
      );
    }
    if (checked.parentId !== null && generationOf(checked.parentId) >= checked.generation) {
      throw new NodeConflictError(`${where}: parent ${checked.parentId} is not from an earlier generation`);
    }
    const existing = await this.getNode(checked.runId, checked.nodeId);
    if (existing) {
      if (substance(existing) === substance(checked)) return { record: existing, written: false };
      throw new NodeConflictError(
        `${where} already exists with different ${differingFields(existing, checked).join(', ')}; ` +
          'the stored record is kept (use updateNode to change scores, approval or bar)',
      );
    }
    await this.writeNode(checked);
    return { record: checked, written: true };
  }

  private async writeNode(record: NodeRecord): Promise<void> {
    await this.store.put(nodeKey(record.runId, record.nodeId), canonicalJson(record), 'application/json');
  }

  async getNode(runId: string, nodeId: string): Promise<NodeRecord | undefined> {
    const key = nodeKey(runId, nodeId);
    const bytes = await this.store.get(key);
    if (bytes === undefined) return undefined;
    return this.parseStored(bytes, key, runId, nodeId);
  }

  /** Like getNode, but a missing node is an error. */
  async requireNode(runId: string, nodeId: string): Promise<NodeRecord> {
    const node = await this.getNode(runId, nodeId);
    if (!node) throw new ArchiveError(`run ${runId} has no node ${nodeId}`);
    return node;
  }

  private parseStored(bytes: Buffer, key: string, runId: string, nodeId: string): NodeRecord {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ArchiveError(`${key} is not JSON`);
    }
    const record = parseNodeRecord(value, key);
    if (record.runId !== runId || record.nodeId !== nodeId) {
      throw new ArchiveError(`${key} holds node ${record.runId}/${record.nodeId}`);
    }
    return record;
  }

  /** Applies `update` to a stored node (scores merged per domain and split) and returns the result. */
  async updateNode(runId: string, nodeId: string, update: NodeUpdate): Promise<NodeRecord> {
    const stored = await this.requireNode(runId, nodeId);
    const { scores, ...rest } = update;
    const next = parseNodeRecord(
      { ...stored, ...rest, ...(scores ? { scores: mergeScores(stored.scores, scores) } : {}) },
      `update of ${runId}/${nodeId}`,
    );
    if (substance(next) !== substance(stored)) await this.writeNode(next);
    return next;
  }

  /** The ids of the run's nodes, shard by shard, up to the first empty shard (see `nodeShardPrefix`). */
  async listNodeIds(runId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let shard = 0; ; shard++) {
      const prefix = nodeShardPrefix(runId, shard);
      const names = (await this.store.list(prefix))
        .map((k) => k.slice(prefix.length))
        .filter((name) => /^gen-\d{5,}\.json$/.test(name));
      if (names.length === 0) return ids;
      ids.push(...names.map((name) => name.slice(0, -'.json'.length)));
    }
  }

  /**
   * Every node of the run, in generation order. Without a view, every record is read (GETs
   * `readConcurrency` at a time). With the run's change log (`view`), the records read before are
   * kept and only those the log says changed since, and the nodes of generations in flight, are read
   * again; a run not cached, from another epoch, or further behind than the log reaches is read whole.
   */
  async listNodes(runId: string, view?: ArchiveView): Promise<NodeRecord[]> {
    if (!view || this.cachedRuns === 0) return sortByGeneration(await this.readNodes(runId));
    const cached = this.cache.get(runId);
    this.cache.delete(runId);
    const changed = cached?.epoch === view.epoch ? changedSince(view, cached.revision) : 'all';
    let nodes: Map<string, NodeRecord>;
    if (!cached || changed === 'all') {
      nodes = new Map((await this.readNodes(runId)).map((n) => [n.nodeId, n]));
    } else {
      nodes = cached.nodes;
      const ids = [...new Set([...changed, ...view.inFlight])];
      const fresh = await mapLimit(ids, this.readConcurrency, (id) => this.getNode(runId, id));
      ids.forEach((id, i) => {
        const record = fresh[i];
        if (record) nodes.set(id, record);
        else nodes.delete(id);
      });
    }
    // A cache already past this view (an activity retried with an older input) keeps its revision.
    const revision = changed === 'all' ? view.revision : Math.max(view.revision, cached!.revision);
    this.cache.set(runId, { epoch: view.epoch, revision, nodes });
    for (const old of this.cache.keys()) if (this.cache.size > this.cachedRuns) this.cache.delete(old);
    return sortByGeneration([...nodes.values()]);
  }

  private async readNodes(runId: string): Promise<NodeRecord[]> {
    const ids = await this.listNodeIds(runId);
    const records = await mapLimit(ids, this.readConcurrency, async (id) => {
      const key = nodeKey(runId, id);
      const bytes = await this.store.get(key);
      return bytes === undefined ? undefined : this.parseStored(bytes, key, runId, id);
    });
    return records.filter((r): r is NodeRecord => r !== undefined);
  }

  /** The records from the run's root to `nodeId`, root first (one GET per ancestor). */
  async lineage(runId: string, nodeId: string): Promise<NodeRecord[]> {
    const chain: NodeRecord[] = [];
    const seen = new Set<string>();
    let id: string | null = nodeId;
    while (id !== null) {
      if (seen.has(id)) throw new ArchiveError(`lineage of ${runId}/${nodeId} has a cycle through ${id}`);
      seen.add(id);
      const node: NodeRecord = await this.requireNode(runId, id);
      chain.push(node);
      id = node.parentId;
    }
    return chain.reverse();
  }

  // ---- programs of nodes ------------------------------------------------------------------------

  /** The diff from node `a`'s program to node `b`'s (any two nodes of the run, not only parent-child). */
  async diffNodes(runId: string, a: string, b: string): Promise<ProgramDiff> {
    const [na, nb] = await Promise.all([this.requireNode(runId, a), this.requireNode(runId, b)]);
    const [fa, fb] = await Promise.all([this.getProgram(na.snapshotKey), this.getProgram(nb.snapshotKey)]);
    return diffPrograms(fa, fb);
  }

  // ---- selection records ----------------------------------------------------------------------

  /** How the parent of `nodeId`'s generation was chosen: rule, distribution, any fallback. */
  async putSelectionRecord(runId: string, nodeId: string, record: object): Promise<void> {
    await this.store.put(selectionKey(runId, nodeId), JSON.stringify(record), 'application/json');
  }

  // ---- reports ----------------------------------------------------------------------------------

  /** Stores an evaluation report (host side: may hold labels) and returns its key for the SplitScore. */
  async putReport(
    runId: string,
    nodeId: string,
    domain: string,
    split: Split,
    report: unknown,
  ): Promise<string> {
    const key = reportKey(runId, nodeId, domain, split);
    await this.store.put(key, JSON.stringify(report), 'application/json');
    return key;
  }

  /** Saves a stage's answers so far (see `partialReportKey`); the latest save wins. */
  async putPartialReport(
    at: { runId: string; nodeId: string; domain: string; split: Split; stage: string },
    partial: unknown,
  ): Promise<void> {
    const key = partialReportKey(at.runId, at.nodeId, at.domain, at.split, at.stage);
    await this.store.put(key, JSON.stringify(partial), 'application/json');
  }

  /** A stage's saved answers, or undefined when none were saved. */
  async getPartialReport(at: {
    runId: string;
    nodeId: string;
    domain: string;
    split: Split;
    stage: string;
  }): Promise<unknown> {
    const bytes = await this.store.get(partialReportKey(at.runId, at.nodeId, at.domain, at.split, at.stage));
    return bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
  }

  async getReport(key: string): Promise<unknown> {
    const bytes = await this.store.get(key);
    if (bytes === undefined) throw new ArchiveError(`report ${key} does not exist`);
    return JSON.parse(bytes.toString('utf8'));
  }

  /**
   * Deletes the run's node records and their reports (not blobs: they are shared between runs by
   * content). For throwaway runs in tests and benches; returns how many objects went. Lists per node
   * and per shard, so no listing outgrows one page (see `nodeShardPrefix`).
   */
  async deleteRunRecords(runId: string): Promise<number> {
    const ids = await this.listNodeIds(runId);
    const counts = await mapLimit(ids, this.readConcurrency, async (id) => {
      const reports = await this.store.list(reportsPrefix(runId, id));
      for (const k of reports) await this.store.delete(k);
      await this.store.delete(nodeKey(runId, id));
      return reports.length + 1;
    });
    return counts.reduce((a, b) => a + b, 0);
  }
}
