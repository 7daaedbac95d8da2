import { constants as fsc, promises as fs } from 'fs';
import * as path from 'path';
import { checkProgramPaths, type ProgramFiles } from './paths';

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
 * Reads a program folder into ProgramFiles. Symbolic links, special files, non-UTF-8 files and the
 * `skipFolders` are left out and listed in `skipped` with a reason, because a meta agent may leave
 * any of them behind and the child should still be kept. Files are opened with O_NOFOLLOW so a link
 * swapped in during the walk is not followed either. Throws ProgramFolderError when the folder holds
 * more files or bytes than the limits allow: a runaway program is an invalid child, not a partial one.
 */
export async function scanProgramDir(dir: string, limits: ReadLimits = {}): Promise<ProgramScan> {
  const maxFiles = limits.maxFiles ?? DEFAULT_READ_LIMITS.maxFiles;
  const maxTotal = limits.maxTotalBytes ?? DEFAULT_READ_LIMITS.maxTotalBytes;
  const maxFile = limits.maxFileBytes ?? DEFAULT_READ_LIMITS.maxFileBytes;
  const skipFolders = new Set(limits.skipFolders ?? DEFAULT_READ_LIMITS.skipFolders);

  let root: string;
  try {
    root = await fs.realpath(dir);
    if (!(await fs.stat(root)).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    throw new ProgramFolderError(`cannot read program folder '${dir}': ${(e as Error).message}`);
  }

  const files: ProgramFiles = {};
  const skipped: SkippedPath[] = [];
  let count = 0;
  let total = 0;

  async function walk(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const rel = relDir === '' ? ent.name : `${relDir}/${ent.name}`;
      const abs = path.join(root, rel);
      if (ent.isSymbolicLink()) {
        skipped.push({ path: rel, reason: await symlinkReason(root, abs) });
      } else if (ent.isDirectory()) {
        if (skipFolders.has(ent.name)) skipped.push({ path: rel, reason: 'skipped folder' });
        else await walk(rel);
      } else if (!ent.isFile()) {
        skipped.push({ path: rel, reason: 'not a regular file' });
      } else {
        if (++count > maxFiles) {
          throw new ProgramFolderError(`program folder '${dir}' holds more than ${maxFiles} files`);
        }
        const bytes = await readNoFollow(abs);
        if (bytes.length > maxFile) {
          throw new ProgramFolderError(
            `program file '${rel}' is ${bytes.length} bytes; the limit is ${maxFile}`,
          );
        }
        total += bytes.length;
        if (total > maxTotal) {
          throw new ProgramFolderError(`program folder '${dir}' holds more than ${maxTotal} bytes`);
        }
        try {
          files[rel] = utf8.decode(bytes);
        } catch {
          skipped.push({ path: rel, reason: 'not UTF-8 text' });
        }
      }
    }
  }

  await walk('');
  return { files, skipped };
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
