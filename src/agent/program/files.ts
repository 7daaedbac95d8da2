import { constants as fsc, promises as fs } from 'fs';
import * as path from 'path';
import { checkProgramPaths, pathMatcher, programPathProblem, type ProgramFiles } from './paths';

/** A program folder that cannot be read or written as a whole: too many files or bytes, not a folder, not empty. */
export class ProgramFolderError extends Error {
  override name = 'ProgramFolderError';
}

export interface ReadLimits {
  /** Most files a program may hold (default 2000). */
  readonly maxFiles?: number;
  /** Most bytes over all files (default 16 MiB). */
  readonly maxTotalBytes?: number;
  /** Most bytes in one file (default 4 MiB). */
  readonly maxFileBytes?: number;
  /** Folder names skipped wherever they occur (default `.git`, `node_modules`). */
  readonly skipFolders?: readonly string[];
}

export const DEFAULT_READ_LIMITS = {
  maxFiles: 2000,
  maxTotalBytes: 16 * 1024 * 1024,
  maxFileBytes: 4 * 1024 * 1024,
  skipFolders: ['.git', 'node_modules'],
} as const;

/** A path left out of the program and why; the caller logs these rather than failing the child. */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

export interface ProgramScan {
  readonly files: ProgramFiles;
  readonly skipped: SkippedPath[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Why a symlink is left out: programs are regular files only, and a link out of the folder is hostile. */
async function symlinkReason(root: string, abs: string): Promise<string> {
  try {
    const target = await fs.realpath(abs);
    return isInside(root, target)
      ? 'symbolic link (not followed: a program holds regular files only)'
      : 'symbolic link pointing outside the program folder (refused)';
  } catch {
    return 'dangling symbolic link';
  }
}

/**
 * The rules every program entering the host passes, whether read from a host folder or copied out
 * of a sandbox (one implementation for both): the skip list, the path rules of `programPathProblem`
 * (tool files such as `.git`, control characters), UTF-8 text only, and the file and byte caps.
 * `forbidden` says what a path that breaks the path rules does: `skip` it (a folder of the
 * operator's own, such as a checkout's `.vscode/`) or `refuse` the whole program (agent-written).
 */
class ProgramIntake {
  readonly files: ProgramFiles = {};
  readonly skipped: SkippedPath[] = [];
  /** Why the program as a whole is refused; the first reason wins. */
  refused: string | undefined;
  private readonly maxFiles: number;
  private readonly maxTotal: number;
  private readonly maxFile: number;
  private readonly skipFolders: ReadonlySet<string>;
  private readonly skippedFolders = new Set<string>();
  private count = 0;
  private total = 0;

  constructor(
    private readonly where: string,
    limits: ReadLimits,
    private readonly forbidden: 'skip' | 'refuse',
  ) {
    this.maxFiles = limits.maxFiles ?? DEFAULT_READ_LIMITS.maxFiles;
    this.maxTotal = limits.maxTotalBytes ?? DEFAULT_READ_LIMITS.maxTotalBytes;
    this.maxFile = limits.maxFileBytes ?? DEFAULT_READ_LIMITS.maxFileBytes;
    this.skipFolders = new Set(limits.skipFolders ?? DEFAULT_READ_LIMITS.skipFolders);
  }

  skip(rel: string, reason: string): void {
    this.skipped.push({ path: rel, reason });
  }

  /**
   * Whether `rel` (a file, or a folder when `folder`) may be taken: false when it is left out
   * (listed in `skipped`) or refused. Whatever lies in a skip-list folder is skipped (the folder is
   * listed once), except that when refusing, a skip-list folder the path rules forbid (`.git`)
   * refuses the program: an agent's `.git/config` is not quietly dropped.
   */
  admit(rel: string, folder: boolean): boolean {
    const segs = rel.split('/');
    const at = (folder ? segs : segs.slice(0, -1)).findIndex((seg) => this.skipFolders.has(seg));
    const skipAt = at < 0 ? undefined : segs.slice(0, at + 1).join('/');
    if (skipAt !== undefined && (this.forbidden === 'skip' || programPathProblem(skipAt) === undefined)) {
      if (!this.skippedFolders.has(skipAt)) this.skip(skipAt, 'skipped folder');
      this.skippedFolders.add(skipAt);
      return false;
    }
    const problem = programPathProblem(rel);
    if (problem !== undefined) {
      this.skip(rel, problem);
      if (this.forbidden === 'refuse') this.refuse(`program path '${rel}' refused: ${problem}`);
      return false;
    }
    if (!folder && ++this.count > this.maxFiles) {
      this.refuse(`${this.where} holds more than ${this.maxFiles} files`);
      return false;
    }
    return true;
  }

  /** Takes an admitted file's content: over a cap refuses the program, non-UTF-8 is skipped. */
  add(rel: string, bytes: Buffer): void {
    if (bytes.length > this.maxFile) {
      return this.refuse(`program file '${rel}' is ${bytes.length} bytes; the limit is ${this.maxFile}`);
    }
    this.total += bytes.length;
    if (this.total > this.maxTotal)
      return this.refuse(`${this.where} holds more than ${this.maxTotal} bytes`);
    try {
      this.files[rel] = utf8.decode(bytes);
    } catch {
      this.skip(rel, 'not UTF-8 text');
    }
  }

  private refuse(reason: string): void {
    this.refused ??= reason;
  }
}

/**
 * Reads a program folder into ProgramFiles. Symbolic links, special files, non-UTF-8 files, the
 * `skipFolders` and paths `programPathProblem` refuses (tool files such as `.vscode/`, control
 * characters) are left out and listed in `skipped` with a reason: the folder is the operator's, and
 * the program should still be read. Files are opened with O_NOFOLLOW so a link swapped in during
 * the walk is not followed either. Throws ProgramFolderError when the folder holds more files or
 * bytes than the limits allow: a runaway program is an invalid child, not a partial one.
 */
export async function scanProgramDir(dir: string, limits: ReadLimits = {}): Promise<ProgramScan> {
  let root: string;
  try {
    root = await fs.realpath(dir);
    if (!(await fs.stat(root)).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    throw new ProgramFolderError(`cannot read program folder '${dir}': ${(e as Error).message}`);
  }
  const intake = new ProgramIntake(`program folder '${dir}'`, limits, 'skip');
  const stopOnRefusal = () => {
    if (intake.refused !== undefined) throw new ProgramFolderError(intake.refused);
  };

  async function walk(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const rel = relDir === '' ? ent.name : `${relDir}/${ent.name}`;
      const abs = path.join(root, rel);
      if (ent.isSymbolicLink()) {
        intake.skip(rel, await symlinkReason(root, abs));
      } else if (ent.isDirectory()) {
        if (intake.admit(rel, true)) await walk(rel);
      } else if (!ent.isFile()) {
        intake.skip(rel, 'not a regular file');
      } else if (intake.admit(rel, false)) {
        intake.add(rel, await readNoFollow(abs));
      }
      stopOnRefusal();
    }
  }

  await walk('');
  return { files: intake.files, skipped: intake.skipped };
}

/** A program copied out of a sandbox: its files, or why it is refused, and what was left out. */
export interface ProgramFromOutputs {
  /** The program, unless it is refused. */
  readonly files?: ProgramFiles;
  /** Why the program is refused (a tool file such as `.git/config`, a cap): the child is invalid. */
  readonly refused?: string;
  /** Paths left out or refused, relative to the program, with reasons (copy-out's skips included). */
  readonly skipped: SkippedPath[];
}

/**
 * The program a meta-agent session left in `/work/<folder>` (default `program`), from the sandbox's
 * copied-out files, under the same rules as `scanProgramDir`, except that a path breaking the path
 * rules refuses the program instead of being skipped: it was written by the agent, and a child
 * that holds a `.git/config` is hostile, not an edit to keep. `exclude` (pathMatcher entries) names
 * what is not the program's and is dropped unread (the session's workspace). Never throws: a refusal
 * is returned.
 */
export function programFromOutputs(
  outputs: {
    readonly files: Readonly<Record<string, Buffer>>;
    readonly skipped?: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
  },
  options: {
    readonly limits?: ReadLimits;
    readonly exclude?: readonly string[];
    readonly folder?: string;
  } = {},
): ProgramFromOutputs {
  const prefix = `${options.folder ?? 'program'}/`;
  const excluded = pathMatcher(options.exclude ?? []);
  const intake = new ProgramIntake(`the meta agent's ${prefix} folder`, options.limits ?? {}, 'refuse');
  for (const s of outputs.skipped ?? []) {
    const rel = s.path.slice(prefix.length);
    if (s.path.startsWith(prefix) && !excluded(rel)) intake.skip(rel, s.reason);
  }
  for (const out of Object.keys(outputs.files).sort()) {
    const rel = out.slice(prefix.length);
    if (!out.startsWith(prefix) || excluded(rel)) continue;
    if (intake.admit(rel, false)) intake.add(rel, outputs.files[out]!);
  }
  return intake.refused !== undefined
    ? { refused: intake.refused, skipped: intake.skipped }
    : { files: intake.files, skipped: intake.skipped };
}

async function readNoFollow(abs: string): Promise<Buffer> {
  const fh = await fs.open(abs, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** The program's files only; see scanProgramDir for what is skipped and when it throws. */
export async function readProgramDir(dir: string, limits?: ReadLimits): Promise<ProgramFiles> {
  return (await scanProgramDir(dir, limits)).files;
}

/**
 * Writes a program into `dir`, creating it. Every path is checked first (ProgramPathError on an
 * absolute or `..` path, before anything is written). `dir` must be missing or empty, so no stale
 * file of another program survives into this one, and files are created exclusively.
 */
export async function writeProgramDir(dir: string, files: ProgramFiles): Promise<void> {
  checkProgramPaths(Object.keys(files));
  await fs.mkdir(dir, { recursive: true });
  const existing = await fs.readdir(dir);
  if (existing.length > 0) {
    throw new ProgramFolderError(`cannot write a program into '${dir}': the folder is not empty`);
  }
  for (const rel of Object.keys(files).sort()) {
    const abs = path.join(dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, files[rel]!, { encoding: 'utf8', flag: 'wx' });
  }
}
