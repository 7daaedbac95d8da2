/**
 * What the bad-input cases (badInputCases.ts) run on: the built CLI in its own process, as a user
 * runs it, and the state a case must leave as it found it (a run's S3 objects, a workflow, a
 * folder). Everything a case makes is its own (a random run id, a temp folder) and is removed by
 * `close()`. A live run that holds nodes for approval is made only when a case asks for one.
 */
import { execFile } from 'child_process';
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Archive } from '../../src/archive';
import { runPrefix } from '../../src/archive/keys';
import { projectRoot } from '../../src/host/assets';
import { connectClient } from '../../temporal/connection';
import { approveUpdate, statusQuery } from '../../workflows/messages';
import { realStore, type TrackingStore } from '../archive/fixtures';
import { stackConfig } from '../helpers/stack';
import { nodeId, WorkflowTestEnv, type StubActivities } from '../workflows/harness';

export const DATA_DIR = process.env.HYPERAGENTS_DATA_DIR ?? '/work/shared/data';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What a case reports: the CLI's result, the line naming the problem, and what changed. */
export interface Outcome extends CliResult {
  /** The line that names the problem; default: stderr, which must then be exactly one line. */
  line?: string;
  /** The exit code the case expects; default 1. */
  expectCode?: number;
  /** State that changed and must not have; empty when nothing did. */
  changed: string[];
}

/** A snapshot of some state, compared after the case: `describe` names each difference. */
export type Snapshot = () => Promise<Record<string, string>>;

export function changes(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k}: ${before[k] ?? '(absent)'} -> ${after[k] ?? '(absent)'}`);
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** Every entry below `dir` (lstat: a link is not followed) with its kind and content hash. */
export function folderState(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(abs)}`;
    else if (st.isDirectory()) {
      out[rel || '.'] = `dir ${(st.mode & 0o777).toString(8)}`;
      for (const e of fs.readdirSync(abs).sort()) walk(path.join(rel, e));
    } else out[rel] = `file ${st.size} ${sha(fs.readFileSync(abs))}`;
  };
  walk('');
  return out;
}

/** The stored run a case reads: a few good nodes, and the damage each stored-data case needs. */
export interface StoredRun {
  runId: string;
  archive: Archive;
  store: TrackingStore;
}

/** A live run (stub activities) holding gen-00002 for approval; gen-00001 is already approved. */
export interface LiveRun {
  runId: string;
  /** The run's pending approvals and the approvals its activities recorded, as text. */
  state: () => Promise<Record<string, string>>;
}

export class BadInputHarness {
  private readonly temps: string[] = [];
  private client?: Client;
  private live?: Promise<LiveRun>;
  private releaseLive?: () => void;
  private liveDone?: Promise<StubActivities>;
  private env?: WorkflowTestEnv;
  readonly store = realStore();
  readonly archive = new Archive(this.store);

  /** A fresh temp folder, removed by close(). */
  tempDir(name = 'bad-input'): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    this.temps.push(dir);
    return dir;
  }

  /** A run id no one has used: its S3 prefix is empty and Temporal has no such workflow. */
  freshRunId(): string {
    return `bad-input-${randomUUID()}`;
  }

  /** Runs the built CLI in its own process (asynchronously: a live run's worker is in this one). */
  cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(projectRoot, 'bin/hyperagents.js'), ...args],
        {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          // The suite's stack, not a config file in the working folder; the shared data mirror.
          env: { ...process.env, HYPERAGENTS_CONFIG: '', HYPERAGENTS_DATA_DIR: DATA_DIR, ...env },
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  async temporal(): Promise<Client> {
    this.client ??= await connectClient(stackConfig());
    return this.client;
  }

  /** The run's S3 objects and whether Temporal knows a workflow of that id. */
  runState(runId: string): Snapshot {
    return async () => {
      const out: Record<string, string> = {};
      for (const key of await this.store.list(runPrefix(runId)))
        out[key] = sha((await this.store.get(key)) ?? '');
      try {
        out.workflow = (await (await this.temporal()).workflow.getHandle(runId).describe()).status.name;
      } catch (e) {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
      }
      return out;
    };
  }

  /** Runs the CLI and reports what changed in `snapshots` (folders by path, or a Snapshot). */
  async check(
    args: string[],
    opts: { env?: Record<string, string>; folders?: string[]; state?: Snapshot[] } = {},
  ): Promise<Outcome> {
    const take = async () => {
      const all: Record<string, string> = {};
      for (const f of opts.folders ?? [])
        for (const [k, v] of Object.entries(folderState(f))) all[`${f}/${k}`] = v;
      for (const s of opts.state ?? []) Object.assign(all, await s());
      return all;
    };
    const before = await take();
    const result = await this.cli(args, opts.env);
    return { ...result, changed: changes(before, await take()) };
  }

  /** A live run on a private task queue with stub activities; made once, on first use. */
  liveRun(): Promise<LiveRun> {
    this.live ??= (async () => {
      this.env = await WorkflowTestEnv.create();
      const held = new Promise<void>((resolve) => (this.releaseLive = resolve));
      return new Promise<LiveRun>((resolve, reject) => {
        this.liveDone = this.env!.run({}, async ({ start, waitFor, stubs }) => {
          const { runId, handle } = await start({ budget: { generations: 2 }, approval: 'all' });
          await waitFor(handle, 'two nodes held for approval', (s) => s.pending.length === 2);
          await handle.executeUpdate(approveUpdate, { args: [nodeId(1), 'reviewed'] });
          resolve({
            runId,
            state: async () => ({
              pending: JSON.stringify((await handle.query(statusQuery)).pending.map((p) => p.nodeId)),
              recorded: JSON.stringify(stubs.inputs('decideApproval').map((i) => [i.nodeId, i.decision])),
            }),
          });
          await held;
        });
        this.liveDone.catch(reject);
      });
    })();
    return this.live;
  }

  async close(): Promise<void> {
    this.releaseLive?.();
    await this.liveDone?.catch(() => undefined);
    await this.env?.close();
    await this.client?.connection.close();
    await this.store.cleanUp();
    for (const dir of this.temps) {
      // A case may leave a folder read-only on purpose.
      fs.chmodSync(dir, 0o700);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
