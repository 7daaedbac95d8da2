import { promises as fs } from 'fs';
import * as path from 'path';
import { writeProgramDir } from '../agent/program';
import { canonicalJson } from '../util/canonical';
import type { Archive } from '../archive';

export interface ExportedNode {
  readonly programDir: string;
  readonly nodeFile: string;
  readonly patchFile?: string;
}

/**
 * `hyperagents export`: writes `<dir>/program/` (the snapshot), `<dir>/node.json` and, when the
 * patch is non-empty, `<dir>/patch.diff`. The program sits in its own folder so reading it back
 * gives the snapshot exactly. `dir` must be missing or empty.
 */
export async function exportNode(
  archive: Archive,
  runId: string,
  nodeId: string,
  dir: string,
): Promise<ExportedNode> {
  const node = await archive.requireNode(runId, nodeId);
  const files = await archive.getProgram(node.snapshotKey);
  await fs.mkdir(dir, { recursive: true });
  if ((await fs.readdir(dir)).length > 0) throw new Error(`cannot export into '${dir}': not empty`);
  const programDir = path.join(dir, 'program');
  await writeProgramDir(programDir, files);
  const nodeFile = path.join(dir, 'node.json');
  await fs.writeFile(nodeFile, `${JSON.stringify(JSON.parse(canonicalJson(node)), null, 2)}\n`, 'utf8');
  if (!node.patchKey) return { programDir, nodeFile };
  const patchFile = path.join(dir, 'patch.diff');
  await fs.writeFile(patchFile, await archive.getBlob(node.patchKey));
  return { programDir, nodeFile, patchFile };
}
