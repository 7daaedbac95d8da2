import * as fs from 'fs';
import * as path from 'path';
import { extract } from 'tar-stream';
import { OUTPUT_LIMITS, emptyOutputs, type SandboxOutputs } from './types';
import { safeRelative } from './workTar';

/** Keeps a copied-out file unless a cap is reached; counts what it has taken. */
class OutputCollector {
  readonly result: SandboxOutputs = emptyOutputs();
  private bytes = 0;

  add(rel: string, content: Buffer): void {
    const count = Object.keys(this.result.files).length;
    if (count >= OUTPUT_LIMITS.files) return this.skip(rel, `more than ${OUTPUT_LIMITS.files} files`);
    if (this.bytes + content.length > OUTPUT_LIMITS.bytes) return this.skip(rel, 'output size cap reached');
    this.bytes += content.length;
    this.result.files[rel] = content;
  }

  skip(rel: string, reason: string): void {
    this.result.skipped.push({ path: rel, reason });
  }
}

/** Reads declared outputs from a host folder (bubblewrap's private /work), never following symlinks. */
export function collectFromDir(workDir: string, outputs: string[]): SandboxOutputs {
  const c = new OutputCollector();
  const visit = (rel: string) => {
    const st = fs.lstatSync(path.join(workDir, rel), { throwIfNoEntry: false });
    if (!st) return c.skip(rel, 'missing');
    if (st.isSymbolicLink()) return c.skip(rel, 'symlink not followed');
    if (st.isDirectory()) {
      for (const child of fs.readdirSync(path.join(workDir, rel)).sort()) visit(`${rel}/${child}`);
    } else if (st.isFile()) c.add(rel, fs.readFileSync(path.join(workDir, rel)));
    else c.skip(rel, 'not a regular file');
  };
  for (const o of outputs) visit(safeRelative(o));
  return c.result;
}

/**
 * Reads a tar from `docker getArchive` of `/work/<output>`. Entry names start with the basename of
 * the requested path; they are re-rooted under the output's parent so keys are relative to /work.
 */
export async function collectFromTar(
  tar: NodeJS.ReadableStream,
  parentRel: string,
  into: OutputCollector = new OutputCollector(),
): Promise<OutputCollector> {
  const ex = extract();
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const rel = path.posix.join(parentRel, header.name);
      if (header.type === 'file') {
        const chunks: Buffer[] = [];
        stream.on('data', (d: unknown) => {
          chunks.push(d as Buffer);
        });
        stream.on('end', () => {
          into.add(safeRelative(rel), Buffer.concat(chunks));
          next();
        });
      } else {
        if (header.type !== 'directory') into.skip(rel, `${header.type ?? 'special'} not followed`);
        stream.on('end', next);
        stream.resume();
      }
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.on('error', reject);
    tar.pipe(ex);
  });
  return into;
}

export { OutputCollector };
