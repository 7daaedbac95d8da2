import * as fs from 'fs';
import * as path from 'path';
import { pack, type Pack } from 'tar-stream';
import type Docker from 'dockerode';
import { AGENT_GID, AGENT_UID, agentOwned, ensureRootfs } from './rootfs';

export const IMAGE_REPO = 'hyperagents-sandbox';

function addTree(p: Pack, root: string, rel: string): void {
  const abs = path.join(root, rel);
  const st = fs.lstatSync(abs);
  const owner = agentOwned(rel) ? { uid: AGENT_UID, gid: AGENT_GID } : { uid: 0, gid: 0 };
  const header = { name: rel || '.', mode: st.mode & 0o7777, mtime: new Date(0), ...owner };
  if (st.isSymbolicLink()) {
    p.entry({ ...header, type: 'symlink', linkname: fs.readlinkSync(abs) });
  } else if (st.isDirectory()) {
    p.entry({ ...header, type: 'directory' });
    for (const child of fs.readdirSync(abs).sort()) addTree(p, root, rel ? `${rel}/${child}` : child);
  } else {
    p.entry({ ...header, size: st.size }, fs.readFileSync(abs));
  }
}

/** Streams a folder as a tar with root ownership, except the agent's own folders. */
export function tarRootfs(dir: string): Pack {
  const p = pack();
  setImmediate(() => {
    try {
      addTree(p, dir, '');
      p.finalize();
    } catch (e) {
      p.destroy(e as Error);
    }
  });
  return p;
}

/**
 * The sandbox image, built locally by `docker import` of the rootfs (there is no registry here) and
 * tagged with the rootfs content hash, so it is rebuilt only when node, its libraries or the layout change.
 */
export async function ensureSandboxImage(docker: Docker, sandboxRoot: string): Promise<string> {
  const { dir, hash } = ensureRootfs(sandboxRoot);
  const tag = `${IMAGE_REPO}:${hash}`;
  const existing = await docker.listImages({ filters: { reference: [tag] } });
  if (existing.length > 0) return tag;
  const stream = await docker.importImage(tarRootfs(dir) as unknown as NodeJS.ReadableStream, {
    repo: IMAGE_REPO,
    tag: hash,
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  return tag;
}
