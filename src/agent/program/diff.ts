import { Worker } from 'worker_threads';
import { formatPatch, structuredPatch, FILE_HEADERS_ONLY, type StructuredPatchHunk } from 'diff';
import { sourceOrBuilt } from '../../host/assets';
import { unionPaths, type ProgramFiles } from './paths';

export interface ProgramDiff {
  /**
   * Unified diff over all files, `a/` and `b/` prefixes, `/dev/null` for added or removed files.
   * A path with a control character, `"` or `\` is written as git quotes it (`"a/x\ny"`), so no
   * path can start a line of the patch.
   */
  readonly patch: string;
  /** Every path whose content differs, sorted: `added`, `removed` and `modified` together. */
  readonly changedPaths: string[];
  readonly added: string[];
  readonly removed: string[];
  readonly modified: string[];
  /**
   * Modified paths whose line diff went over the edit limits (`DIFF_LIMITS`): the patch removes the
   * whole old file and adds the whole new one (still a correct patch, just not a minimal one).
   */
  readonly wholeFile: string[];
}

/**
 * Bounds on the line diff (Myers' algorithm costs about the square of the edit length: a file
 * rewritten end to end took minutes at 16,000 lines). Counted in edits, an added or removed line
 * each, not in time, so the same programs always give the same patch (a retried activity must
 * store the same blob). Past a bound a file is shown whole (`ProgramDiff.wholeFile`).
 */
export const DIFF_LIMITS = {
  /** Edits one file's diff may explore (about 0.25 s at the bound). */
  maxEditsPerFile: 2000,
  /** Edits all the files of one diff may explore together; the files after that are shown whole. */
  maxEditsTotal: 20_000,
  /** Changed files of up to this many lines in all (before and after) are diffed inline. */
  inlineLines: 1000,
} as const;

export type DiffLimits = { readonly [K in keyof typeof DIFF_LIMITS]: number };

/** One file's line diff within `maxEditLength` edits: its hunks, or undefined when it needs more. */
export type HunkDiffer = (
  before: string,
  after: string,
  maxEditLength: number,
) => Promise<StructuredPatchHunk[] | undefined>;

/** The differ both the inline path and the worker (diff-worker.mjs) run: jsdiff, 3 lines of context. */
function hunksOf(before: string, after: string, maxEditLength: number): StructuredPatchHunk[] | undefined {
  return structuredPatch('', '', before, after, undefined, undefined, { context: 3, maxEditLength })?.hunks;
}

const DIFF_WORKER = sourceOrBuilt('src/agent/program/diff-worker.mjs');

/**
 * Runs `use` with a differ on a worker thread of its own, so a long diff leaves the calling
 * thread free (an activity's heartbeats keep flowing), and ends the thread afterwards.
 */
async function withWorkerDiffer<T>(use: (differ: HunkDiffer) => Promise<T>): Promise<T> {
  const worker = new Worker(DIFF_WORKER);
  let failure: Error | undefined;
  let pending:
    { resolve: (h: StructuredPatchHunk[] | undefined) => void; reject: (e: Error) => void } | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    pending?.reject(e);
    pending = undefined;
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the diff worker exited (code ${code})`)));
  worker.on('message', (m: { hunks: StructuredPatchHunk[] | null }) => {
    pending?.resolve(m.hunks ?? undefined);
    pending = undefined;
  });
  const differ: HunkDiffer = (before, after, maxEditLength) =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      pending = { resolve, reject };
      worker.postMessage({ before, after, maxEditLength });
    });
  try {
    return await use(differ);
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}

const lineCount = (text: string | undefined) => (text ? text.split('\n').length : 0);

/**
 * The child's changes against its parent. The path lists, not the patch text, decide emptiness:
 * an added empty file changes the program yet has no hunk. Small diffs run inline; larger ones on
 * a worker thread (`DIFF_LIMITS.inlineLines`), with the same result.
 */
export async function diffPrograms(
  parent: ProgramFiles,
  child: ProgramFiles,
  limits: DiffLimits = DIFF_LIMITS,
): Promise<ProgramDiff> {
  const changed = unionPaths(parent, child).filter((p) => parent[p] !== child[p]);
  const size = changed.reduce((n, p) => n + lineCount(parent[p]) + lineCount(child[p]), 0);
  const run = (differ: HunkDiffer) => diffWith(differ, parent, child, changed, limits);
  if (size <= limits.inlineLines) return run((b, a, max) => Promise.resolve(hunksOf(b, a, max)));
  return withWorkerDiffer(run);
}

async function diffWith(
  differ: HunkDiffer,
  parent: ProgramFiles,
  child: ProgramFiles,
  changed: readonly string[],
  limits: DiffLimits,
): Promise<ProgramDiff> {
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  const wholeFile: string[] = [];
  const parts: string[] = [];
  let budget = limits.maxEditsTotal;
  for (const p of changed) {
    const before = parent[p];
    const after = child[p];
    if (before === undefined) added.push(p);
    else if (after === undefined) removed.push(p);
    else modified.push(p);
    let hunks: StructuredPatchHunk[] | undefined;
    if (before === undefined || after === undefined) {
      // Added or removed: the whole file is the diff, nothing to search.
      hunks = wholeFileHunks(before ?? '', after ?? '');
    } else {
      const max = Math.min(limits.maxEditsPerFile, budget);
      hunks = max > 0 ? await differ(before, after, max) : undefined;
      budget -= hunks ? Math.min(max, editsOf(hunks)) : max;
      if (!hunks) {
        wholeFile.push(p);
        hunks = wholeFileHunks(before, after);
      }
    }
    const oldName = before === undefined ? '/dev/null' : quotePatchPath(`a/${p}`);
    const newName = after === undefined ? '/dev/null' : quotePatchPath(`b/${p}`);
    parts.push(
      `diff --git ${quotePatchPath(`a/${p}`)} ${quotePatchPath(`b/${p}`)}\n` +
        // git apply needs these to create or delete a file (program files have no modes).
        (before === undefined ? 'new file mode 100644\n' : '') +
        (after === undefined ? 'deleted file mode 100644\n' : '') +
        formatPatch(
          { oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks },
          FILE_HEADERS_ONLY,
        ),
    );
  }
  const changedPaths = [...added, ...removed, ...modified].sort();
  return { patch: parts.join(''), changedPaths, added, removed, modified, wholeFile };
}

/** Added and removed lines of a diff's hunks: its edit length. */
function editsOf(hunks: readonly StructuredPatchHunk[]): number {
  let n = 0;
  for (const h of hunks) for (const l of h.lines) if (l.startsWith('+') || l.startsWith('-')) n++;
  return n;
}

/** `text`'s lines for a hunk, `sign` first, with git's marker after a last line without newline. */
function hunkLines(text: string, sign: '-' | '+'): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  const noNewline = lines[lines.length - 1] !== '';
  if (!noNewline) lines.pop();
  const out = lines.map((l) => sign + l);
  if (noNewline) out.push('\\ No newline at end of file');
  return out;
}

/** One hunk that removes every line of `before` and adds every line of `after`. */
function wholeFileHunks(before: string, after: string): StructuredPatchHunk[] {
  const minus = hunkLines(before, '-');
  const plus = hunkLines(after, '+');
  if (minus.length + plus.length === 0) return [];
  const count = (lines: string[]) => lines.filter((l) => !l.startsWith('\\')).length;
  return [
    { oldStart: 1, oldLines: count(minus), newStart: 1, newLines: count(plus), lines: [...minus, ...plus] },
  ];
}

const C_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\x00-\x1f\x7f-\x9f"\\]/;

/**
 * A path as a patch header names it, quoted the way git does (`quote_c_style`) when it holds a
 * control character (C0, DEL, C1), `"` or `\`: in double quotes, with C escapes and the UTF-8 bytes
 * of other control characters in octal. So a newline in a path can never start a forged
 * `diff --git` or `+++` line, and `git apply` still reads the name back.
 */
export function quotePatchPath(name: string): string {
  if (!NEEDS_QUOTES.test(name)) return name;
  const body = name.replace(
    new RegExp(NEEDS_QUOTES.source, 'g'),
    (c) =>
      C_ESCAPES[c] ?? [...Buffer.from(c, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join(''),
  );
  return `"${body}"`;
}

/** True when the child changes nothing (ARCHITECTURE: such a node is never a parent). */
export function patchIsEmpty(diff: ProgramDiff): boolean {
  return diff.changedPaths.length === 0;
}
