import * as fs from 'fs';
import { extract } from 'tar-stream';
import { OUTPUT_LIMITS, emptyOutputs, type SandboxOutputs } from './types';
import { safeRelative } from './workTar';
import { UNSAFE_CHARACTERS, codePointLabel, unsafeCharacter } from '../util/unsafeText';

/*
 * Copy-out reads what an agent left behind, so every name, depth and size in it is hostile. Both
 * backends apply the same rules (outputNameProblem, OUTPUT_LIMITS), and a bad entry is listed in
 * `outputs.skipped` with a reason: nothing here throws because of what the agent wrote.
 */

/** `rel` with unsafe characters written as `\u{…}`, so a skipped entry can be printed safely. */
function printable(rel: string): string {
  return rel.replace(UNSAFE_CHARACTERS, (ch) => `\\u{${ch.charCodeAt(0).toString(16).padStart(4, '0')}}`);
}

/**
 * Why an output name (relative to /work) is not taken, or undefined: backslashes (`..\..\x` means
 * a parent folder to Windows tools and to the old copy-out), unsafe characters, anything that
 * leaves /work, folders nested deeper than OUTPUT_LIMITS.depth.
 */
export function outputNameProblem(rel: string): string | undefined {
  if (rel.includes('\\')) return 'the name contains a backslash';
  const unsafe = unsafeCharacter(rel);
  if (unsafe !== undefined) {
    return `the name contains a control or invisible format character (${codePointLabel(unsafe)})`;
  }
  const segs = rel.split('/');
  if (rel.startsWith('/') || segs.some((s) => s === '' || s === '.' || s === '..')) {
    return 'the name is not a plain path inside the work folder';
  }
  if (segs.length > OUTPUT_LIMITS.depth) return `nested deeper than ${OUTPUT_LIMITS.depth} levels`;
  return undefined;
}

/** Keeps a copied-out file unless a cap is reached; counts what it has taken. */
class OutputCollector {
  readonly result: SandboxOutputs = emptyOutputs();
  private bytes = 0;
  private readonly skippedFolders = new Set<string>();

  /** Whether a file of `size` bytes would still fit; when not, it is listed as skipped. */
  fits(rel: string, size: number): boolean {
    if (Object.keys(this.result.files).length >= OUTPUT_LIMITS.files) {
      this.skip(rel, `more than ${OUTPUT_LIMITS.files} files`);
      return false;
    }
    if (this.bytes + size > OUTPUT_LIMITS.bytes) {
      this.skip(rel, 'output size cap reached');
      return false;
    }
    return true;
  }

  add(rel: string, content: Buffer): void {
    if (!this.fits(rel, content.length)) return;
    this.bytes += content.length;
    this.result.files[rel] = content;
  }

  skip(rel: string, reason: string): void {
    this.result.skipped.push({ path: printable(rel), reason });
  }

  /**
   * Whether `rel` may be taken by name; when not, the first offending path is listed (once: a
   * folder too deep or badly named is one entry, not one per file below it).
   */
  admit(rel: string): boolean {
    const segs = rel.split('/');
    for (let i = 1; i <= segs.length; i++) {
      const prefix = segs.slice(0, i).join('/');
      if (this.skippedFolders.has(prefix)) return false;
      const problem = outputNameProblem(prefix);
      if (problem !== undefined) {
        this.skippedFolders.add(prefix);
        this.skip(prefix, problem);
        return false;
      }
    }
    return true;
  }
}

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** A path through an open folder: resolves to that folder even if its path was swapped since. */
const viaFd = (fd: number, name?: string) =>
  name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;

/**
 * Reads declared outputs from a host folder (bubblewrap's private /work). The walk holds each folder
 * open and reaches its entries through the descriptor (`/proc/self/fd/<fd>/<name>`), opening every
 * entry with O_NOFOLLOW and then `fstat`ing the descriptor: a file swapped for a symlink (or a folder
 * for a link) after it was listed is refused, never followed, and no path grows past one name, so a
 * deep tree cannot fail the copy with ENAMETOOLONG.
 */
export function collectFromDir(workDir: string, outputs: string[]): SandboxOutputs {
  const c = new OutputCollector();
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;

  const visit = (dirFd: number, name: string, rel: string): void => {
    if (!c.admit(rel)) return;
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO must not block the worker; it is refused below as not a regular file.
      fd = fs.openSync(viaFd(dirFd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ENOENT') return c.skip(rel, 'missing');
      if (code === 'ELOOP') return c.skip(rel, 'symlink not followed');
      return c.skip(rel, `not copied (${code})`);
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) {
        for (const child of fs.readdirSync(viaFd(fd)).sort()) visit(fd, child, `${rel}/${child}`);
      } else if (st.isFile()) {
        if (c.fits(rel, st.size)) c.add(rel, fs.readFileSync(fd));
      } else c.skip(rel, 'not a regular file');
    } catch (e) {
      c.skip(rel, `not copied (${errorCode(e)})`);
    } finally {
      fs.closeSync(fd);
    }
  };

  const root = fs.openSync(workDir, O_RDONLY | O_DIRECTORY);
  try {
    for (const o of outputs) {
      const rel = safeRelative(o);
      // The declared path's folders are opened one name at a time, without following links either.
      const segs = rel.split('/');
      const opened: number[] = [];
      try {
        let dirFd = root;
        let ok = true;
        for (let i = 0; i < segs.length - 1 && ok; i++) {
          try {
            dirFd = fs.openSync(viaFd(dirFd, segs[i]), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            opened.push(dirFd);
          } catch (e) {
            ok = false;
            c.skip(segs.slice(0, i + 1).join('/'), `not copied (${errorCode(e)})`);
          }
        }
        if (ok) visit(dirFd, segs[segs.length - 1]!, rel);
      } finally {
        for (const fd of opened) fs.closeSync(fd);
      }
    }
  } finally {
    fs.closeSync(root);
  }
  return c.result;
}

/**
 * Reads a tar from `docker getArchive` of `/work/<output>`. Entry names start with the basename of
 * the requested path; they are re-rooted under the output's parent so keys are relative to /work.
 * Names are checked before they are joined (so `..\..\x` or `a/../../x` is skipped, not resolved),
 * and nothing is thrown from a stream handler: a broken archive ends the copy with a skipped entry.
 */
export async function collectFromTar(
  tar: NodeJS.ReadableStream,
  parentRel: string,
  into: OutputCollector = new OutputCollector(),
): Promise<OutputCollector> {
  const ex = extract();
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      if (error !== undefined) {
        into.skip(parentRel || '.', `copy-out stopped: ${(error as Error).message}`);
        tar.unpipe(ex);
        ex.destroy();
        (tar as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      }
      resolve();
    };
    ex.on('entry', (header, stream, next) => {
      try {
        const name = header.name.replace(/\/+$/, '');
        const rel = parentRel === '' ? name : `${parentRel}/${name}`;
        const take = header.type === 'file' && into.admit(rel) && into.fits(rel, header.size ?? 0);
        if (header.type !== 'file' && header.type !== 'directory' && into.admit(rel)) {
          into.skip(rel, `${header.type ?? 'special'} not followed`);
        } else if (header.type === 'directory') into.admit(rel);
        const chunks: Buffer[] = [];
        stream.on('data', (d: unknown) => {
          if (take) chunks.push(d as Buffer);
        });
        stream.on('end', () => {
          try {
            if (take) into.add(rel, Buffer.concat(chunks));
          } catch (e) {
            into.skip(rel, `not copied (${(e as Error).message})`);
          }
          next();
        });
        stream.on('error', finish);
      } catch (e) {
        finish(e);
      }
    });
    ex.on('finish', () => finish());
    ex.on('error', finish);
    tar.on('error', finish);
    tar.pipe(ex);
  });
  return into;
}

export { OutputCollector };
