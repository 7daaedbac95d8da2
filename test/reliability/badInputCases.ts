/**
 * Bad input, as a user meets it (issue 11): each case runs the built CLI in its own process on the
 * suite's stack and reports what it printed and what changed. bad-input.test.ts asserts, for every
 * case, one line naming the problem (`expect`), no stack trace, the exit code, and no state changed.
 * The table is exported so a script can list the cases and their results (docs/reliability.md).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SEED_DIR } from '../../src/agent/layout';
import { blobKey, nodeKey } from '../../src/archive/keys';
import type { ProgramFiles } from '../../src/agent/program';
import { canonicalJson } from '../../src/util/canonical';
import { makeNode } from '../archive/fixtures';
import { DATA_DIR, type BadInputHarness, type Outcome } from './badInput';

export type Group = 'config' | 'cli' | 'program' | 'stored';

export interface BadInputCase {
  readonly id: string;
  readonly group: Group;
  /** The bad input, in a few words; the test is named `<group>: <what>`. */
  readonly what: string;
  readonly run: (h: BadInputHarness) => Promise<Outcome>;
  /** The one line the user sees. */
  readonly expect: RegExp;
}

function inGroup(group: Group, cases: Array<Omit<BadInputCase, 'group'>>): BadInputCase[] {
  return cases.map((c) => ({ ...c, group }));
}

// ---------------------------------------------------------------------------------------------
// Config: `hyperagents run` with a fresh run id; nothing may start (no workflow, no S3 object).

async function runWith(
  h: BadInputHarness,
  opts: { config?: unknown; configText?: string; args?: string[]; env?: Record<string, string> },
): Promise<Outcome> {
  const runId = h.freshRunId();
  const args = ['run', '--id', runId, ...(opts.args ?? [])];
  if (opts.config !== undefined || opts.configText !== undefined) {
    const file = path.join(h.tempDir('config'), 'hyperagents.config.json');
    fs.writeFileSync(file, opts.configText ?? JSON.stringify(opts.config));
    args.unshift('--config', file);
  }
  return h.check(args, { env: opts.env, state: [h.runState(runId)] });
}

const config = inGroup('config', [
  {
    id: 'config-unknown-key',
    what: 'an unknown top-level key in the config file',
    run: (h) => runWith(h, { config: { temporal: {}, bogus: 1 } }),
    expect: /^hyperagents: \S+hyperagents\.config\.json: \(root\): Unrecognized key: "bogus"$/,
  },
  {
    id: 'config-unknown-run-key',
    what: 'a misspelt key in the run section',
    run: (h) => runWith(h, { config: { run: { generatons: 3 } } }),
    expect: /^hyperagents: run: Unrecognized key: "generatons"$/,
  },
  {
    id: 'config-wrong-type',
    what: 'a port given as a string',
    run: (h) => runWith(h, { config: { s3: { port: '4568' } } }),
    expect: /: s3\.port: Invalid input: expected number, received string$/,
  },
  {
    id: 'config-env-wrong-type',
    what: 'an environment variable that should be a number',
    run: (h) => runWith(h, { env: { HYPERAGENTS_TEMPORAL_PORT: 'seven' } }),
    expect: /^hyperagents: HYPERAGENTS_TEMPORAL_PORT=seven: must be a number \(temporal\.port\)$/,
  },
  {
    id: 'config-negative-generations',
    what: 'a negative generation budget in the config file',
    run: (h) => runWith(h, { config: { run: { budget: { generations: -3 } } } }),
    expect: /^hyperagents: run\.budget\.generations: Too small: expected number to be >=1$/,
  },
  {
    id: 'config-negative-usd',
    what: 'a negative USD budget in the config file',
    run: (h) => runWith(h, { config: { run: { budget: { usd: -1 } } } }),
    expect: /^hyperagents: run\.budget\.usd: Too small: expected number to be >0$/,
  },
  {
    id: 'config-negative-generations-flag',
    what: 'a negative --generations',
    run: (h) => runWith(h, { args: ['--generations=-2'] }),
    expect: /^hyperagents: --generations must be a positive whole number, got "-2"$/,
  },
  {
    id: 'config-generations-not-a-number',
    what: '--generations that is not a number',
    run: (h) => runWith(h, { args: ['--generations', 'ten'] }),
    expect: /^hyperagents: --generations must be a positive whole number, got "ten"$/,
  },
  {
    id: 'config-unknown-domain',
    what: 'an unknown domain',
    run: (h) => runWith(h, { args: ['--domains', 'astrology'] }),
    expect:
      /^hyperagents: domain astrology: unknown domain "astrology"; known: coding, math-grading, paper-review, reward-design\./,
  },
  {
    id: 'config-unknown-method',
    what: 'an unknown method',
    run: (h) => runWith(h, { args: ['--method', 'magic'] }),
    expect:
      /^hyperagents: run\.method: Invalid option: expected one of "dgm-h"\|"no-self-improve"\|"no-open-ended"\|"dgm"$/,
  },
  {
    id: 'config-unknown-selection',
    what: 'an unknown selection rule',
    run: (h) => runWith(h, { config: { run: { selection: 'roulette' } } }),
    expect: /^hyperagents: run\.selection: Invalid option: expected one of "score_child_prop"\|.*"random"/,
  },
  {
    id: 'config-selection-contradicts-method',
    what: 'a selection rule the method fixes otherwise',
    run: (h) => runWith(h, { config: { run: { method: 'dgm', selection: 'best' } } }),
    expect:
      /^hyperagents: run\.selection: method dgm selects parents with \w+; selection 'best' contradicts it/,
  },
  {
    id: 'config-missing-data',
    what: 'a domain whose data set is not in the data folder',
    run: (h) =>
      runWith(h, {
        args: ['--domains', 'paper-review'],
        env: { HYPERAGENTS_DATA_DIR: h.tempDir('no-data') },
      }),
    expect:
      /^hyperagents: domain paper-review: data set "paper-review" is not available; missing paper-review\/iclr2017_2018_title_abstract_decision\.jsonl .*looked in \/\S+no-data-\w+\)/,
  },
  {
    id: 'config-not-json',
    what: 'a config file that is not JSON',
    run: (h) => runWith(h, { configText: 'temporal:\n  port: 7233\n' }),
    expect: /^hyperagents: config file \S+: not a JSON object \(.*is not valid JSON\)$/,
  },
  {
    id: 'config-json-array',
    what: 'a config file that is JSON but not an object',
    run: (h) => runWith(h, { configText: '[1, 2]' }),
    expect: /^hyperagents: config file \S+: not a JSON object \(not an object\)$/,
  },
  {
    id: 'config-missing-file',
    what: 'a config file that does not exist',
    run: (h) => h.check(['--config', '/no/such/hyperagents.json', 'status', h.freshRunId()]),
    expect: /^hyperagents: config file \/no\/such\/hyperagents\.json: cannot be read$/,
  },
  {
    id: 'config-several-problems',
    what: 'several problems at once, all in one line',
    run: (h) => runWith(h, { config: { run: { bogus: 1, budget: { generations: 0 } } } }),
    expect: /^hyperagents: run\.budget\.generations: Too small.*; run: Unrecognized key: "bogus"$/,
  },
]);

// ---------------------------------------------------------------------------------------------
// CLI: unknown names, decisions a run refuses, export and diff that must not happen.

/** A stored run: gen-00000 and gen-00001 good, gen-00002..5 damaged; a second run with gen-00007. */
export interface Stored {
  runId: string;
  otherRunId: string;
  tamperedBlob: string;
}

const storedRuns = new WeakMap<BadInputHarness, Promise<Stored>>();

export function stored(h: BadInputHarness): Promise<Stored> {
  let made = storedRuns.get(h);
  if (!made) {
    made = (async () => {
      const runId = h.freshRunId();
      const otherRunId = h.freshRunId();
      const { archive, store } = h;
      const seed: ProgramFiles = { 'task_agent.mjs': `export const run = '${runId}';\n` };
      const child: ProgramFiles = { 'task_agent.mjs': `export const run = '${runId}'; // edited\n` };
      const seedKey = await archive.putProgram(seed);
      const childKey = await archive.putProgram(child);
      await archive.putNode(makeNode(runId, 0, null, {}, { snapshotKey: seedKey }));
      await archive.putNode(makeNode(runId, 1, 0, {}, { snapshotKey: childKey }));
      // A blob whose bytes no longer hash to its address: the program was edited in S3.
      const original = canonicalJson({ 'task_agent.mjs': `export const tampered = '${runId}';\n` });
      const tamperedBlob = blobKey(createHash('sha256').update(original).digest('hex'));
      await store.put(tamperedBlob, original.replace('tampered', 'TAMPERED'));
      await archive.putNode(makeNode(runId, 2, 0, {}, { snapshotKey: tamperedBlob }));
      // gen-00003: a record cut short; gen-00004: JSON of the wrong shape; gen-00005: another node's.
      const good = canonicalJson(makeNode(runId, 3, 0, {}, { snapshotKey: childKey }));
      await store.put(nodeKey(runId, 'gen-00003'), good.slice(0, good.length >> 1));
      await store.put(
        nodeKey(runId, 'gen-00004'),
        JSON.stringify({ ...makeNode(runId, 4, 0, {}, { snapshotKey: childKey }), scores: 'high' }),
      );
      await store.put(
        nodeKey(runId, 'gen-00005'),
        canonicalJson(makeNode(runId, 1, 0, {}, { snapshotKey: childKey })),
      );
      await archive.putNode(makeNode(otherRunId, 0, null, {}, { snapshotKey: seedKey }));
      await archive.putNode(makeNode(otherRunId, 7, 0, {}, { snapshotKey: childKey }));
      return { runId, otherRunId, tamperedBlob };
    })();
    storedRuns.set(h, made);
  }
  return made;
}

/** A CLI command on the stored run; the run's objects, the blob and `folders` must not change. */
async function onStored(
  h: BadInputHarness,
  args: (s: Stored) => string[],
  folders: string[] = [],
): Promise<Outcome> {
  const s = await stored(h);
  const blob = async () => ({ blob: String((await h.store.get(s.tamperedBlob))?.length) });
  return h.check(args(s), { folders, state: [h.runState(s.runId), h.runState(s.otherRunId), blob] });
}

/** A folder that must still be absent (or unchanged) after an export that is refused. */
function exportTarget(h: BadInputHarness): string {
  return path.join(h.tempDir('export'), 'out');
}

async function onLive(h: BadInputHarness, args: (runId: string) => string[]): Promise<Outcome> {
  const live = await h.liveRun();
  return h.check(args(live.runId), { state: [live.state] });
}

const cli = inGroup('cli', [
  {
    id: 'cli-unknown-command',
    what: 'an unknown command',
    run: (h) => h.check(['frobnicate']),
    expect: /^hyperagents: unknown command 'frobnicate' \(see `hyperagents --help`\)$/,
  },
  {
    id: 'cli-unknown-option',
    what: 'an unknown option',
    run: (h) => h.check(['run', '--gens', '3']),
    expect: /^hyperagents: unknown option '--gens'.* \(see `hyperagents --help`\)$/,
  },
  {
    id: 'cli-missing-argument',
    what: 'a command without its argument',
    run: (h) => h.check(['status']),
    expect: /^hyperagents: missing required argument 'run' \(see `hyperagents --help`\)$/,
  },
  {
    id: 'cli-status-unknown-run',
    what: 'status of an unknown run',
    run: async (h) => {
      const runId = h.freshRunId();
      return h.check(['status', runId], { state: [h.runState(runId)] });
    },
    expect: /^hyperagents: no run with id bad-input-\S+ \(see `hyperagents list`\)$/,
  },
  {
    id: 'cli-approve-unknown-run',
    what: 'approving a node of an unknown run',
    run: async (h) => {
      const runId = h.freshRunId();
      return h.check(['approve', runId, 'gen-00001', '--note', 'ok'], { state: [h.runState(runId)] });
    },
    expect: /^hyperagents: no run with id bad-input-\S+ \(see `hyperagents list`\)$/,
  },
  {
    id: 'cli-pause-unknown-run',
    what: 'pausing an unknown run',
    run: async (h) => {
      const runId = h.freshRunId();
      return h.check(['pause', runId], { state: [h.runState(runId)] });
    },
    expect: /^hyperagents: no run with id bad-input-\S+ \(see `hyperagents list`\)$/,
  },
  {
    id: 'cli-approve-unknown-node',
    what: 'approving a node the run does not hold',
    run: (h) => onLive(h, (runId) => ['approve', runId, 'gen-00007', '--note', 'ok']),
    expect: /^hyperagents: node gen-00007 is not waiting for approval in run wf-\S+ \(pending: gen-00002\)$/,
  },
  {
    id: 'cli-approve-decided',
    what: 'approving a node already approved',
    run: (h) => onLive(h, (runId) => ['approve', runId, 'gen-00001', '--note', 'again']),
    expect: /^hyperagents: node gen-00001 .*already approved/,
  },
  {
    id: 'cli-reject-decided',
    what: 'rejecting a node already approved',
    run: (h) => onLive(h, (runId) => ['reject', runId, 'gen-00001', '--note', 'changed my mind']),
    expect: /^hyperagents: node gen-00001 .*already approved/,
  },
  {
    id: 'cli-reject-without-note',
    what: 'rejecting without --note',
    run: (h) => onLive(h, (runId) => ['reject', runId, 'gen-00002']),
    expect: /^hyperagents: reject gen-00002 needs --note "<why>": a rejection is recorded with its reason$/,
  },
  {
    id: 'cli-reject-empty-note',
    what: 'rejecting with an empty note',
    run: (h) => onLive(h, (runId) => ['reject', runId, 'gen-00002', '--note', '  ']),
    expect: /^hyperagents: reject gen-00002 needs --note "<why>"/,
  },
  {
    id: 'cli-archive-unknown-run',
    what: 'the archive of an unknown run',
    run: async (h) => {
      const runId = h.freshRunId();
      return h.check(['archive', runId], { state: [h.runState(runId)] });
    },
    expect: /^hyperagents: run bad-input-\S+ has no nodes in the archive$/,
  },
  {
    id: 'cli-lineage-unknown-node',
    what: 'the lineage of a node the run does not have',
    run: (h) => onStored(h, (s) => ['lineage', s.runId, 'gen-00042']),
    expect: /^hyperagents: run bad-input-\S+ has no node gen-00042$/,
  },
  {
    id: 'cli-malformed-node-id',
    what: 'a node id that is not gen-NNNNN',
    run: (h) => onStored(h, (s) => ['diff', s.runId, 'gen-1']),
    expect: /^hyperagents: node id 'gen-1' must look like gen-00042$/,
  },
  {
    id: 'cli-diff-other-run',
    what: 'diff against a node of a different run',
    run: (h) => onStored(h, (s) => ['diff', s.runId, 'gen-00001', '--against', 'gen-00007']),
    expect: /^hyperagents: run bad-input-\S+ has no node gen-00007$/,
  },
  {
    id: 'cli-export-unknown-node',
    what: 'inspect (review copy) of a node the run does not have',
    run: async (h) => {
      const dir = exportTarget(h);
      return onStored(h, (s) => ['inspect', s.runId, 'gen-00042', dir], [path.dirname(dir)]);
    },
    expect: /^hyperagents: run bad-input-\S+ has no node gen-00042$/,
  },
  {
    id: 'cli-export-non-empty',
    what: 'inspect (review copy) into a folder that is not empty',
    run: async (h) => {
      const dir = h.tempDir('export-full');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
      return onStored(h, (s) => ['inspect', s.runId, 'gen-00001', dir], [dir]);
    },
    expect: /^hyperagents: cannot export into '\S+export-full-\w+': not empty$/,
  },
  {
    id: 'cli-export-unwritable',
    what: 'inspect (review copy) into a folder that cannot be written',
    // /sys is read-only even for root (a chmod'ed folder is not, and the suite may run as root).
    run: (h) => onStored(h, (s) => ['inspect', s.runId, 'gen-00001', `/sys/${s.runId}`]),
    expect:
      /^hyperagents: cannot export into '\/sys\/bad-input-\S+': the folder cannot be written here \(permission denied or read-only\)$/,
  },
  {
    id: 'cli-export-under-a-file',
    what: 'inspect (review copy) into a path below a file',
    run: async (h) => {
      const dir = h.tempDir('export-file');
      fs.writeFileSync(path.join(dir, 'a-file'), 'x');
      return onStored(h, (s) => ['inspect', s.runId, 'gen-00001', path.join(dir, 'a-file', 'out')], [dir]);
    },
    expect: /^hyperagents: cannot export into '\S+\/a-file\/out': a file is in the way \(not a folder\)$/,
  },
]);

// ---------------------------------------------------------------------------------------------
// Agent programs: `hyperagents eval <folder>` on one task of a small paper-review file.

const SOLVES = 'export async function solve() { return { prediction: "accept", trace: {} }; }\n';

const PAPERS_CSV = [
  'id,title,abstract,decision',
  ...Array.from(
    { length: 12 },
    (_, i) =>
      `p${String(i).padStart(2, '0')},"Paper ${i}","We study problem ${i}.","${i % 2 ? 'Reject' : 'Accept (Poster)'}"`,
  ),
].join('\n');

/**
 * Evaluates the program `files` (plus what `extra` adds to its folder) on one task; the folder must
 * not change. `from` picks the line: the task's error (the report's JSON), or stderr's `warning:`.
 */
async function evalProgram(
  h: BadInputHarness,
  files: Record<string, string | Buffer>,
  from: 'task-error' | 'stderr' | 'warning' | 'answer',
  extra?: (dir: string) => void,
): Promise<Outcome> {
  const root = h.tempDir('program');
  const dir = path.join(root, 'program');
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), body);
  }
  fs.mkdirSync(dir, { recursive: true });
  extra?.(dir);
  const data = path.join(root, 'papers.csv');
  fs.writeFileSync(data, PAPERS_CSV);
  const out = await h.check(
    ['eval', dir, '--domain', 'paper-review', '--data', data, '--limit', '1', '--json'],
    { folders: [root] },
  );
  if (from === 'stderr') return out;
  const json = () => JSON.parse(out.stdout) as { tasks: Array<{ error?: string; prediction?: unknown }> };
  const line =
    from === 'warning'
      ? out.stderr
          .split('\n')
          .filter((l) => l.startsWith('warning:'))
          .join('\n')
      : from === 'answer'
        ? `prediction ${String(json().tasks[0]?.prediction)}, CLI output ${out.stdout.length + out.stderr.length} bytes`
        : (json().tasks[0]?.error ?? '(no error)');
  return { ...out, line, expectCode: 0 };
}

const program = inGroup('program', [
  {
    id: 'program-not-loading',
    what: 'a task agent with a syntax error',
    run: (h) => evalProgram(h, { 'task_agent.mjs': 'export async function solve( { return' }, 'task-error'),
    expect: /^task_agent\.mjs does not load: SyntaxError: Unexpected/,
  },
  {
    id: 'program-missing-import',
    what: 'a task agent importing a module that is not there',
    run: (h) => evalProgram(h, { 'task_agent.mjs': `import './helpers.mjs';\n${SOLVES}` }, 'task-error'),
    expect: /^task_agent\.mjs does not load: Error: Cannot find module .*helpers\.mjs/,
  },
  {
    id: 'program-wrong-exports',
    what: 'a task agent without a solve function',
    run: (h) => evalProgram(h, { 'task_agent.mjs': 'export const solve = 42;\n' }, 'task-error'),
    expect: /^task_agent\.mjs does not load: Error: task_agent\.mjs does not export a function solve$/,
  },
  {
    id: 'program-no-task-agent',
    what: 'a folder without task_agent.mjs',
    run: (h) => evalProgram(h, { 'README.md': '# not a program\n' }, 'stderr'),
    expect: /^hyperagents: \S+ has no task_agent\.mjs: not a hyperagent program/,
  },
  {
    id: 'program-throws',
    what: 'a solve that throws',
    run: (h) =>
      evalProgram(
        h,
        { 'task_agent.mjs': 'export async function solve() { throw new Error("boom from the agent"); }\n' },
        'task-error',
      ),
    expect: /^solve threw: Error: boom from the agent$/,
  },
  {
    id: 'program-returns-garbage',
    what: 'a solve that returns a number',
    run: (h) =>
      evalProgram(h, { 'task_agent.mjs': 'export async function solve() { return 42; }\n' }, 'task-error'),
    expect: /^solve returned no prediction$/,
  },
  {
    id: 'program-prints-megabytes',
    what: 'a solve that prints 8 MB to stdout',
    run: (h) =>
      evalProgram(
        h,
        {
          'task_agent.mjs':
            'export async function solve() { process.stdout.write("x".repeat(8 << 20)); ' +
            'return { prediction: "accept", trace: {} }; }\n',
        },
        'answer',
      ),
    // The answer is kept and the megabytes never reach the user's terminal.
    expect: /^prediction accept, CLI output \d{1,4} bytes$/,
  },
  {
    id: 'program-huge-file',
    what: 'a program holding a 5 MB file',
    run: (h) => evalProgram(h, { 'task_agent.mjs': SOLVES, 'weights.txt': 'w'.repeat(5 << 20) }, 'stderr'),
    expect: /^hyperagents: program file 'weights\.txt' is 5242880 bytes; the limit is 4194304$/,
  },
  {
    id: 'program-thousands-of-files',
    what: 'a program holding 2,100 files',
    run: (h) =>
      evalProgram(h, { 'task_agent.mjs': SOLVES }, 'stderr', (dir) => {
        fs.mkdirSync(path.join(dir, 'notes'));
        for (let i = 0; i < 2100; i++) fs.writeFileSync(path.join(dir, 'notes', `n${i}.txt`), 'x');
      }),
    expect: /^hyperagents: program folder '\S+' holds more than 2000 files$/,
  },
  {
    id: 'program-binary-file',
    what: 'a program holding a binary file',
    run: (h) =>
      evalProgram(
        h,
        { 'task_agent.mjs': SOLVES, 'model.bin': Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3]) },
        'warning',
      ),
    expect: /^warning: left out of the program \(1\): model\.bin: not UTF-8 text$/,
  },
  {
    id: 'program-symlink',
    what: 'a program holding a symbolic link out of its folder',
    run: (h) =>
      evalProgram(h, { 'task_agent.mjs': SOLVES }, 'warning', (dir) =>
        fs.symlinkSync('/etc/passwd', path.join(dir, 'passwd')),
      ),
    expect:
      /^warning: left out of the program \(1\): passwd: symbolic link pointing outside the program folder \(refused\)$/,
  },
  {
    id: 'program-not-a-folder',
    what: 'a program path that is a file',
    run: (h) => h.check(['eval', path.join(SEED_DIR, 'task_agent.mjs'), '--domain', 'paper-review']),
    expect: /^hyperagents: \S+task_agent\.mjs is not a folder \(expected a program folder\)$/,
  },
]);

// ---------------------------------------------------------------------------------------------
// Stored data: damaged S3 objects read by the CLI; a data set that fails its checksum.

const stored_ = inGroup('stored', [
  {
    id: 'stored-tampered-blob-export',
    what: 'inspect (review copy) of a node whose program blob was edited in S3',
    run: async (h) => {
      const dir = exportTarget(h);
      return onStored(h, (s) => ['inspect', s.runId, 'gen-00002', dir], [path.dirname(dir)]);
    },
    expect: /^hyperagents: blob blobs\/sha256\/[0-9a-f]{64} is corrupt: its content hashes differently$/,
  },
  {
    id: 'stored-tampered-blob-diff',
    what: 'diff of a node whose program blob was edited in S3',
    run: (h) => onStored(h, (s) => ['diff', s.runId, 'gen-00002']),
    expect: /^hyperagents: blob blobs\/sha256\/[0-9a-f]{64} is corrupt: its content hashes differently$/,
  },
  {
    id: 'stored-truncated-record',
    what: 'lineage through a node record cut short',
    run: (h) => onStored(h, (s) => ['lineage', s.runId, 'gen-00003']),
    expect: /^hyperagents: runs\/bad-input-\S+\/gen-00003\.json is not JSON$/,
  },
  {
    id: 'stored-truncated-record-listing',
    what: 'the archive table of a run with a record cut short',
    run: (h) => onStored(h, (s) => ['archive', s.runId]),
    // The first damaged record read, whichever of the three that is.
    expect: /^hyperagents: runs\/bad-input-\S+\/gen-0000[345]\.json[: ]/,
  },
  {
    id: 'stored-record-wrong-shape',
    what: 'inspect (review copy) of a node record of the wrong shape',
    run: async (h) => {
      const dir = exportTarget(h);
      return onStored(h, (s) => ['inspect', s.runId, 'gen-00004', dir], [path.dirname(dir)]);
    },
    expect: /^hyperagents: runs\/bad-input-\S+\/gen-00004\.json.*scores/,
  },
  {
    id: 'stored-record-of-another-node',
    what: "a node record holding another node's record",
    run: (h) => onStored(h, (s) => ['diff', s.runId, 'gen-00005']),
    expect: /^hyperagents: runs\/bad-input-\S+\/gen-00005\.json holds node bad-input-\S+\/gen-00001$/,
  },
  {
    id: 'stored-dataset-wrong-checksum',
    what: 'a data set file with one byte changed',
    run: async (h) => {
      const mirror = h.tempDir('data');
      const rel = 'paper-review/iclr2017_2018_title_abstract_decision.jsonl';
      const bytes = fs.readFileSync(path.join(DATA_DIR, rel));
      bytes[100] = bytes[100]! ^ 1;
      fs.mkdirSync(path.join(mirror, 'paper-review'));
      fs.writeFileSync(path.join(mirror, rel), bytes);
      return h.check(['eval', SEED_DIR, '--domain', 'paper-review', '--limit', '1'], {
        env: { HYPERAGENTS_DATA_DIR: mirror },
        folders: [mirror],
      });
    },
    expect:
      /^hyperagents: refusing mirror file \S+iclr2017_2018_title_abstract_decision\.jsonl: sha256 [0-9a-f]{64} .*does not match the pinned 1104ce97/,
  },
]);

export const BAD_INPUT_CASES: readonly BadInputCase[] = [...config, ...cli, ...program, ...stored_];
