import * as path from 'path';
import { pack, type Pack } from 'tar-stream';
import { AGENT_GID, AGENT_UID } from './rootfs';

/** Refuses absolute paths and `..` so a file map can never write outside the work folder. */
export function safeRelative(p: string): string {
  const norm = path.posix.normalize(p.replace(/\\/g, '/'));
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../') || norm === '.') {
    throw new Error(`refusing path outside the work folder: ${p}`);
  }
  return norm;
}

/** A tar of the files, owned by the agent user, for copying into a container. */
export function packFiles(files: Record<string, string | Buffer>): Pack {
  const p = pack();
  const owner = { uid: AGENT_UID, gid: AGENT_GID };
  // Parent folders get entries of their own, or the engine would create them owned by root.
  const dirs = new Set<string>();
  for (const name of Object.keys(files)) {
    for (let d = path.posix.dirname(safeRelative(name)); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  }
  for (const d of [...dirs].sort()) p.entry({ name: `${d}/`, type: 'directory', mode: 0o755, ...owner });
  for (const [name, content] of Object.entries(files)) {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    p.entry({ name: safeRelative(name), mode: 0o644, ...owner, size: body.length }, body);
  }
  p.finalize();
  return p;
}
