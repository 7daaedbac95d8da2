import { createHash, randomUUID } from 'crypto';
import { setTimeout as sleep } from 'timers/promises';
import { diffPrograms, type ProgramFiles } from '../agent/program';
import {
  blobDigest,
  checkNodeId,
  checkRunId,
  incompleteEvaluationsOf,
  releaseIdFor,
  releaseKey,
  releaseNodeClaimsPrefix,
  releaseNumberClaimsPrefix,
  releaseNumberClaimsRoot,
  releaseNumberOf,
  releasesPrefix,
  RELEASE_FILES,
  type Archive,
  type NodeRecord,
  type ReleaseFile,
} from '../archive';
import type { ObjectStore } from '../storage';
import { canonicalJson } from '../util/canonical';

/**
 * Promotion (issue 13): the sandbox-to-production step. An approved node of a run is copied, with
 * its record, scores, approval and a diff against the previous release's program, to an immutable
 * release `releases/<id>/` (ids `r0001`, `r0002`, ... per bucket). A release is the only form in
 * which a program leaves the archive for use (`hyperagents export <release>`).
 *
 * Concurrency without conditional writes. The embedded S3 server (s3rver 3.7.1) ignores
 * `If-None-Match` on PUT, so "create only if absent" cannot be asked of the store. Instead a release
 * number is taken by a claim: the promoter writes `release-claims/numbers/<id>/<uuid>.json`, then
 * lists that folder; it holds the number only when its claim is the only one there. Two promoters
 * cannot both hold it: each listed after its own write, so the later of the two writes is seen by
 * the other's listing (S3 and the embedded server list what was written before: strong
 * read-after-write). Both may see each other and lose: each deletes its claim and tries again after a
 * random pause. The next number is the lowest that has no claim (nor release), so a holder is never
 * contended with once its claim is visible, and a number two promoters both gave up is taken on the
 * next try: under contention numbers may be committed out of time order (each manifest names the
 * release its diff is against). A promoter that dies after claiming leaves its claim: that number
 * is never used (a gap), which is safe. The node is claimed the same way
 * (`release-claims/nodes/<run>/<node>/<id>.json`), which also records which release it became; a
 * node claim older than CLAIM_STALE_MS whose release has no manifest is an abandoned promotion and
 * no longer counts. The manifest is written last, and only within CLAIM_STALE_MS of the claim.
 */

/** A node claim this old without a release manifest is an abandoned promotion. */
export const CLAIM_STALE_MS = 10 * 60_000;
/** Rounds of "claim, list, back off" before promotion gives up on a contended number. */
const NUMBER_ATTEMPTS = 25;

/** What promotion needs: the archive (node records, verified blobs) and the store the releases go to. */
export interface PromoteDeps {
  readonly archive: Archive;
  readonly store: ObjectStore;
  /** Folder the `releases/` and `release-claims/` prefixes sit in: '' in production, a private one in tests. */
  readonly base?: string;
  readonly now?: () => Date;
}

export interface PromoteRequest {
  readonly runId: string;
  readonly nodeId: string;
  /** Who promotes (a user name); recorded in the manifest. */
  readonly by: string;
  readonly note?: string;
}

/** `releases/<id>/manifest.json`: what the release is, and the sha256 of each of its other files. */
export interface ReleaseManifest {
  readonly releaseId: string;
  readonly runId: string;
  readonly nodeId: string;
  readonly generation: number;
  readonly promotedBy: string;
  readonly promotedAt: string;
  readonly note?: string;
  /** The release this one's `diff.patch` is against; null for the first (diffed against nothing). */
  readonly previousRelease: string | null;
  /** The archive blob the program was copied from (`blobs/sha256/<hex>`). */
  readonly snapshotKey: string;
  readonly approval: ReleaseApproval;
  readonly changedPaths: readonly string[];
  /** sha256 of each file of the release but the manifest. */
  readonly files: Readonly<Record<Exclude<ReleaseFile, 'manifest.json'>, string>>;
}

/** `approval.json`: the reviewer's decision as the node records it. */
export interface ReleaseApproval {
  readonly status: 'approved';
  readonly at?: string;
  readonly note?: string;
  /** Who approved, as the approve update recorded it (absent on approvals recorded before reviewers were). */
  readonly by?: string;
}

/** A release read back whole and checked against its manifest. */
export interface Release {
  readonly manifest: ReleaseManifest;
  readonly program: ProgramFiles;
  readonly node: NodeRecord;
  readonly diff: string;
  /** Each file's bytes as stored. */
  readonly files: Readonly<Record<ReleaseFile, Buffer>>;
}

/** A promotion refused before anything was written (or with what it wrote taken back); one line. */
export class PromotionRefused extends Error {
  override name = 'PromotionRefused';
}

/** A release is missing, incomplete or does not match its manifest. */
export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---- the pure part ------------------------------------------------------------------------------

/**
 * Why `node` may not be promoted, or undefined when it may. "Approved" means the node's record
 * carries `approval.status = approved`: a reviewer approved it through the run's approval gate. A
 * node the run's policy never held (policy `none`, or a node the policy let through) has no
 * approval record and is refused: promotion needs a person's explicit decision.
 */
export function promotionRefusal(node: NodeRecord): string | undefined {
  const what = `${node.runId}/${node.nodeId}`;
  const approval = node.approval;
  if (approval?.status === 'pending')
    return `${what} is awaiting approval: approve it first (hyperagents approve ${node.runId} ${node.nodeId})`;
  if (approval?.status === 'rejected')
    return `${what} was rejected${approval.note ? ` (${approval.note})` : ''}: a rejected node is never promoted`;
  if (approval?.status !== 'approved')
    return (
      `${what} was never approved: only a node a reviewer approved can be promoted, and the run's ` +
      'approval policy did not hold this one for review'
    );
  const problems: string[] = [];
  if (!node.validation.passed) problems.push('it failed validation');
  if (node.barred) problems.push(`it is barred (${node.barredReason ?? 'meta agent crashed as a parent'})`);
  if (node.patchEmpty && node.parentId !== null) problems.push('its patch is empty');
  const domains = Object.keys(node.scores).sort();
  if (domains.length === 0) problems.push('it has no scores');
  const incomplete = incompleteEvaluationsOf(node.scores, domains);
  if (incomplete.length > 0) problems.push(`its evaluation is incomplete (${incomplete.join('; ')})`);
  return problems.length ? `${what} is not eligible: ${problems.join(', ')}` : undefined;
}

/** The release numbers that appear in a listing of keys under `prefix` (the first segment after it). */
function numbersUnder(prefix: string, keys: readonly string[]): number[] {
  const out: number[] = [];
  for (const k of keys) {
    const id = k.slice(prefix.length).split('/')[0] ?? '';
    try {
      out.push(releaseNumberOf(id));
    } catch {
      // not a release folder
    }
  }
  return out;
}

// ---- the service --------------------------------------------------------------------------------

class Releases {
  readonly base: string;
  readonly now: () => Date;
  readonly store: ObjectStore;

  constructor(deps: Pick<PromoteDeps, 'store' | 'base' | 'now'>) {
    this.store = deps.store;
    this.base = deps.base ?? '';
    this.now = deps.now ?? (() => new Date());
  }

  async exists(key: string): Promise<boolean> {
    return (await this.store.list(key)).includes(key);
  }

  /** The committed releases (manifest present), by number. */
  async committed(): Promise<number[]> {
    const prefix = releasesPrefix(this.base);
    const keys = (await this.store.list(prefix)).filter((k) => k.endsWith('/manifest.json'));
    return [...new Set(numbersUnder(prefix, keys))].sort((a, b) => a - b);
  }

  async manifest(releaseId: string): Promise<ReleaseManifest | undefined> {
    const bytes = await this.store.get(releaseKey(releaseId, 'manifest.json', this.base));
    return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as ReleaseManifest);
  }

  /**
   * The node's claims that still count: a committed release, or a promotion in progress (claimed less
   * than CLAIM_STALE_MS ago). `except`: a claim key to leave out (the caller's own).
   */
  async nodeReleases(
    runId: string,
    nodeId: string,
    except?: string,
  ): Promise<{ releaseId: string; committed: boolean; at?: string }[]> {
    const prefix = releaseNodeClaimsPrefix(runId, nodeId, this.base);
    const out: { releaseId: string; committed: boolean; at?: string }[] = [];
    for (const key of await this.store.list(prefix)) {
      if (key === except || !key.endsWith('.json')) continue;
      const releaseId = key.slice(prefix.length, -'.json'.length);
      if (await this.exists(releaseKey(releaseId, 'manifest.json', this.base))) {
        out.push({ releaseId, committed: true });
        continue;
      }
      const bytes = await this.store.get(key);
      const at = bytes ? (JSON.parse(bytes.toString('utf8')) as { at?: string }).at : undefined;
      const age = at ? this.now().getTime() - Date.parse(at) : 0;
      if (!(age >= CLAIM_STALE_MS)) out.push({ releaseId, committed: false, ...(at ? { at } : {}) });
    }
    return out;
  }

  static alreadyRefusal(
    runId: string,
    nodeId: string,
    found: { releaseId: string; committed: boolean; at?: string }[],
  ): string | undefined {
    const done = found.find((f) => f.committed);
    if (done) return `${runId}/${nodeId} is already promoted: release ${done.releaseId}`;
    const live = found[0];
    if (live)
      return `${runId}/${nodeId} is being promoted right now as ${live.releaseId}${live.at ? ` (since ${live.at})` : ''}`;
    return undefined;
  }

  /** Takes the next free release number (see the module comment); returns its id and claim key. */
  async claimNumber(claim: string): Promise<{ releaseId: string; claimKey: string }> {
    for (let attempt = 1; attempt <= NUMBER_ATTEMPTS; attempt++) {
      const claimsRoot = releaseNumberClaimsRoot(this.base);
      const taken = new Set([
        ...numbersUnder(claimsRoot, await this.store.list(claimsRoot)),
        ...(await this.committed()),
      ]);
      // The lowest number nobody claimed: a number two promoters both gave up is used next time.
      let next = 1;
      while (taken.has(next)) next++;
      const releaseId = releaseIdFor(next);
      const prefix = releaseNumberClaimsPrefix(releaseId, this.base);
      const claimKey = `${prefix}${claim}.json`;
      await this.store.put(
        claimKey,
        canonicalJson({ claim, at: this.now().toISOString() }),
        'application/json',
      );
      const keys = await this.store.list(prefix);
      if (keys.length === 1 && keys[0] === claimKey) return { releaseId, claimKey };
      await this.store.delete(claimKey);
      await sleep(Math.floor(Math.random() * 40 * Math.min(attempt, 8)) + 5);
    }
    throw new PromotionRefused(
      `no release number could be claimed in ${NUMBER_ATTEMPTS} attempts (too many promotions at once); nothing was released: try again`,
    );
  }

  /** Writes a release file once: an existing key is never overwritten. Reads it back to check it. */
  async putNew(
    releaseId: string,
    file: ReleaseFile,
    body: Buffer | string,
    contentType: string,
  ): Promise<string> {
    const key = releaseKey(releaseId, file, this.base);
    if (await this.exists(key))
      throw new ReleaseError(`${key} already exists: a release is never overwritten`);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.store.put(key, bytes, contentType);
    const back = await this.store.get(key);
    const digest = sha256(bytes);
    if (!back || sha256(back) !== digest) throw new ReleaseError(`${key} did not read back as written`);
    return digest;
  }
}

/**
 * Promotes an approved node to the next release. Refusals (PromotionRefused, one line, nothing
 * written): unknown run or node, a node already promoted (naming its release) or being promoted, a
 * node that is pending, rejected or was never approved, and a node not eligible (failed validation,
 * barred, empty patch, no scores, incomplete evaluation).
 */
export async function promote(deps: PromoteDeps, request: PromoteRequest): Promise<ReleaseManifest> {
  const r = new Releases(deps);
  const { runId, nodeId } = request;
  const by = request.by.trim();
  if (!by) throw new PromotionRefused('a promotion must say who promotes (by)');
  try {
    checkRunId(runId);
    checkNodeId(nodeId);
  } catch (e) {
    throw new PromotionRefused((e as Error).message);
  }
  const node = await deps.archive.getNode(runId, nodeId);
  if (!node) {
    const known = (await deps.archive.listNodeIds(runId)).length > 0;
    throw new PromotionRefused(
      known ? `run ${runId} has no node ${nodeId}` : `run ${runId} has no nodes in the archive`,
    );
  }
  const already = Releases.alreadyRefusal(runId, nodeId, await r.nodeReleases(runId, nodeId));
  if (already) throw new PromotionRefused(already);
  const refusal = promotionRefusal(node);
  if (refusal) throw new PromotionRefused(refusal);

  // Read before claiming anything: a missing or corrupt snapshot refuses with nothing written.
  const programBytes = await deps.archive.getBlob(node.snapshotKey);
  const program = await deps.archive.getProgram(node.snapshotKey);

  const claim = randomUUID();
  const { releaseId, claimKey } = await r.claimNumber(claim);
  const claimedAt = r.now();
  const nodeClaim = `${releaseNodeClaimsPrefix(runId, nodeId, r.base)}${releaseId}.json`;
  await r.store.put(
    nodeClaim,
    canonicalJson({ releaseId, claim, at: claimedAt.toISOString() }),
    'application/json',
  );
  const rival = Releases.alreadyRefusal(runId, nodeId, await r.nodeReleases(runId, nodeId, nodeClaim));
  if (rival) {
    // Another promotion of this node got there too: take back both claims (no state change).
    await r.store.delete(nodeClaim);
    await r.store.delete(claimKey);
    throw new PromotionRefused(rival);
  }

  const n = releaseNumberOf(releaseId);
  const previousNumber = (await r.committed()).filter((p) => p < n).pop();
  const previousRelease = previousNumber === undefined ? null : releaseIdFor(previousNumber);
  const previousProgram: ProgramFiles = previousRelease
    ? (await readRelease(deps, previousRelease)).program
    : {};
  const diff = await diffPrograms(previousProgram, program);

  const approval: ReleaseApproval = {
    status: 'approved',
    ...(node.approval?.at ? { at: node.approval.at } : {}),
    ...(node.approval?.note ? { note: node.approval.note } : {}),
    ...(node.approval?.by ? { by: node.approval.by } : {}),
  };
  const json = 'application/json';
  const files = {
    'program.json': await r.putNew(releaseId, 'program.json', programBytes, json),
    'node.json': await r.putNew(releaseId, 'node.json', canonicalJson(node), json),
    'scores.json': await r.putNew(releaseId, 'scores.json', canonicalJson(node.scores), json),
    'approval.json': await r.putNew(releaseId, 'approval.json', canonicalJson(approval), json),
    'diff.patch': await r.putNew(releaseId, 'diff.patch', diff.patch, 'text/x-diff'),
  };
  if (files['program.json'] !== blobDigest(node.snapshotKey))
    throw new ReleaseError(`${releaseId}: the program copy does not hash to ${node.snapshotKey}`);
  const note = request.note?.trim();
  const manifest: ReleaseManifest = {
    releaseId,
    runId,
    nodeId,
    generation: node.generation,
    promotedBy: by,
    promotedAt: r.now().toISOString(),
    ...(note ? { note } : {}),
    previousRelease,
    snapshotKey: node.snapshotKey,
    approval,
    changedPaths: diff.changedPaths,
    files,
  };
  if (r.now().getTime() - claimedAt.getTime() >= CLAIM_STALE_MS) {
    await r.store.delete(nodeClaim);
    throw new ReleaseError(
      `${releaseId}: the promotion took longer than its claim lasts (${CLAIM_STALE_MS / 60_000} min); no release was made`,
    );
  }
  await r.putNew(releaseId, 'manifest.json', canonicalJson(manifest), json);
  return manifest;
}

/** Every committed release, oldest first. */
export async function listReleases(deps: Pick<PromoteDeps, 'store' | 'base'>): Promise<ReleaseManifest[]> {
  const r = new Releases(deps);
  const out: ReleaseManifest[] = [];
  for (const n of await r.committed()) {
    const m = await r.manifest(releaseIdFor(n));
    if (m) out.push(m);
  }
  return out;
}

/** The release, every file checked against the sha256 its manifest records. */
export async function readRelease(
  deps: Pick<PromoteDeps, 'store' | 'base'>,
  releaseId: string,
): Promise<Release> {
  try {
    releaseNumberOf(releaseId);
  } catch (e) {
    throw new ReleaseError((e as Error).message);
  }
  const base = deps.base ?? '';
  const read = async (file: ReleaseFile): Promise<Buffer> => {
    const bytes = await deps.store.get(releaseKey(releaseId, file, base));
    if (bytes === undefined)
      throw new ReleaseError(
        file === 'manifest.json'
          ? `there is no release ${releaseId} (hyperagents releases lists them)`
          : `release ${releaseId} has no ${file}`,
      );
    return bytes;
  };
  const manifestBytes = await read('manifest.json');
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ReleaseManifest;
  const files = { 'manifest.json': manifestBytes } as Record<ReleaseFile, Buffer>;
  for (const file of RELEASE_FILES) {
    if (file === 'manifest.json') continue;
    const bytes = await read(file);
    if (sha256(bytes) !== manifest.files[file])
      throw new ReleaseError(`release ${releaseId}: ${file} does not match the sha256 in its manifest`);
    files[file] = bytes;
  }
  const program = JSON.parse(files['program.json'].toString('utf8')) as ProgramFiles;
  const node = JSON.parse(files['node.json'].toString('utf8')) as NodeRecord;
  return { manifest, program, node, diff: files['diff.patch'].toString('utf8'), files };
}
