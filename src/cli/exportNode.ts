import { promises as fs } from 'fs';
import * as path from 'path';
import { checkProgramPaths, ProgramPathError, writeProgramDir } from '../agent/program';
import { canonicalJson } from '../util/canonical';
import type { Archive } from '../archive';

export interface ExportedNode {
  readonly programDir: string;
  readonly nodeFile: string;
  readonly patchFile?: string;
  /** What to tell the operator about the folder (EXPORT_WARNING). */
  readonly warning: string;
}

/** Printed with every export: the program was written by an agent, and nothing vouches for it. */
export const EXPORT_WARNING =
  'warning: the exported program is untrusted, agent-written code; read it before running anything ' +
  'in that folder (tool files such as .git/ or .vscode/ are never exported). It is not a release: ' +
  'a program leaves the archive for use only as one (hyperagents promote, then export <release>)';

/** Why a folder cannot be made or read, in words (the errno's message names the syscall too). */
function folderProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'the folder cannot be written here (permission denied or read-only)';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file is in the way (not a folder)';
    default:
      return e.message;
  }
}

/** Makes `dir` if missing; throws one line when it cannot be, or is not empty (inspect and export). */
export async function ensureEmptyFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    await fs.mkdir(dir, { recursive: true });
    entries = await fs.readdir(dir);
  } catch (e) {
    throw new Error(`cannot export into '${dir}': ${folderProblem(e as NodeJS.ErrnoException)}`);
  }
  if (entries.length > 0) throw new Error(`cannot export into '${dir}': not empty`);
}

/**
 * `hyperagents inspect` (a copy for review; releases go out through `export`, src/cli/exportRelease.ts): writes `<dir>/program/` (the snapshot), `<dir>/node.json` and, when the
 * patch is non-empty, `<dir>/patch.diff`. The program sits in its own folder so reading it back
 * gives the snapshot exactly. `dir` must be missing or empty. A program holding a path
 * `programPathProblem` refuses (a tool file such as `.git/config`, a control character) is refused
 * with ProgramPathError before anything is written; the caller prints `warning`.
 */
export async function exportNode(
  archive: Archive,
  runId: string,
  nodeId: string,
  dir: string,
): Promise<ExportedNode> {
  const node = await archive.requireNode(runId, nodeId);
  let files;
  try {
    // An old snapshot may hold paths refused since (`.git/config` runs code on `git status`).
    files = await archive.getProgram(node.snapshotKey);
    checkProgramPaths(Object.keys(files));
  } catch (e) {
    if (!(e instanceof ProgramPathError)) throw e;
    throw new ProgramPathError(
      `refusing to export ${runId}/${nodeId}: ${e.message}. The program is untrusted, agent-written ` +
        'code and this path could run code on this machine; nothing was written',
    );
  }
  await ensureEmptyFolder(dir);
  const programDir = path.join(dir, 'program');
  await writeProgramDir(programDir, files);
  const nodeFile = path.join(dir, 'node.json');
  await fs.writeFile(nodeFile, `${JSON.stringify(JSON.parse(canonicalJson(node)), null, 2)}\n`, 'utf8');
  if (!node.patchKey || node.parentId === null) return { programDir, nodeFile, warning: EXPORT_WARNING };
  // Made anew from the two snapshots rather than copied from the stored patch: a patch stored before
  // paths were quoted could carry a forged `diff --git` header.
  const patch = await archive.diffNodes(runId, node.parentId, nodeId);
  const patchFile = path.join(dir, 'patch.diff');
  await fs.writeFile(patchFile, patch.patch);
  return { programDir, nodeFile, patchFile, warning: EXPORT_WARNING };
}
