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
  for (const [name, content] of Object.entries(files)) {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    p.entry(
      { name: safeRelative(name), mode: 0o644, uid: AGENT_UID, gid: AGENT_GID, size: body.length },
      body,
    );
  }
  p.finalize();
  return p;
}
