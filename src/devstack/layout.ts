import * as path from 'path';
import type { Config } from '../config';

/** Where each service keeps its files under the state folder. */
export function stateLayout(c: Config) {
  const s = c.stateDir;
  return {
    logs: path.join(s, 'logs'),
    run: path.join(s, 'run'),
    temporalDb: path.join(s, 'temporal', 'temporal.sqlite'),
    s3Data: path.join(s, 's3'),
    dockerRoot: path.join(s, 'docker', 'data'),
    dockerExec: path.join(s, 'docker', 'exec'),
    dockerSocket: path.join(s, 'docker', 'docker.sock'),
    sandboxRoot: path.join(s, 'sandbox'),
    backendFile: path.join(s, 'run', 'sandbox-backend.json'),
  };
}
export type StateLayout = ReturnType<typeof stateLayout>;
