import { promises as fs } from 'fs';
import * as path from 'path';
import { checkProgramPaths, ProgramPathError, writeProgramDir } from '../agent/program';
import { readRelease, type PromoteDeps } from '../engine';
import { ensureEmptyFolder } from './exportNode';

export interface ExportedRelease {
  readonly programDir: string;
  readonly manifestFile: string;
}

/**
 * `hyperagents export <release> <dir>`: the way a program leaves the archive for use. Writes
 * `<dir>/program/` and the release's `manifest.json`, `node.json`, `scores.json`, `approval.json`
 * and `diff.patch`, each checked against the sha256 its manifest records. `dir` must be missing or
 * empty; a program holding a path `checkProgramPaths` refuses is refused before anything is written.
 */
export async function exportRelease(
  deps: Pick<PromoteDeps, 'store' | 'base'>,
  releaseId: string,
  dir: string,
): Promise<ExportedRelease> {
  const release = await readRelease(deps, releaseId);
  try {
    checkProgramPaths(Object.keys(release.program));
  } catch (e) {
    if (!(e instanceof ProgramPathError)) throw e;
    throw new ProgramPathError(`refusing to export ${releaseId}: ${e.message}; nothing was written`);
  }
  await ensureEmptyFolder(dir);
  const programDir = path.join(dir, 'program');
  await writeProgramDir(programDir, release.program);
  for (const [file, bytes] of Object.entries(release.files)) {
    if (file !== 'program.json') await fs.writeFile(path.join(dir, file), bytes);
  }
  return { programDir, manifestFile: path.join(dir, 'manifest.json') };
}
