import { createHash } from 'crypto';
import * as os from 'os';
import * as path from 'path';
import type { Config } from '../config';

/**
 * Unix socket paths are limited to 107 bytes, and containerd puts its sockets deep inside the
 * exec root. A deep state folder therefore keeps its sockets in a short folder named after it.
 */
const SOCKET_ROOM = 48;

function socketDir(stateDir: string): string {
  const inside = path.join(stateDir, 'docker');
  if (inside.length <= SOCKET_ROOM) return inside;
  const tag = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `hyperagents-${tag}`);
}

/** Where each service keeps its files under the state folder. */
export function stateLayout(c: Config) {
  const s = c.stateDir;
  const sockets = socketDir(s);
  return {
    logs: path.join(s, 'logs'),
    run: path.join(s, 'run'),
    temporalDb: path.join(s, 'temporal', 'temporal.sqlite'),
    s3Data: path.join(s, 's3'),
    dockerRoot: path.join(s, 'docker', 'data'),
    dockerExec: path.join(sockets, 'exec'),
    dockerSocket: path.join(sockets, 'docker.sock'),
    sandboxRoot: path.join(s, 'sandbox'),
    backendFile: path.join(s, 'run', 'sandbox-backend.json'),
  };
}
export type StateLayout = ReturnType<typeof stateLayout>;
