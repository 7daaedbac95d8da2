import { smokeKey } from '../archive/keys';
import type { Sandbox, SandboxLimits } from '../sandbox';
import type { ObjectStore } from '../storage';

/** What `hyperagents smoke` checks: the object store round-trips bytes, the sandbox runs node. */
export interface SmokeDeps {
  store: ObjectStore;
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
}

const SMOKE_SESSION_SEC = 30;

export async function storeRoundTrip(
  deps: SmokeDeps,
  runId: string,
): Promise<{ objectKey: string; bytesReadBack: number }> {
  const objectKey = smokeKey(runId);
  const body = JSON.stringify({ runId, at: new Date().toISOString() });
  await deps.store.put(objectKey, body, 'application/json');
  const back = await deps.store.get(objectKey);
  if (!back || back.toString() !== body) throw new Error(`S3 returned different bytes for ${objectKey}`);
  return { objectKey, bytesReadBack: back.length };
}

/** Runs a one-line program in the sandbox; it reports its uid and the network interfaces it sees. */
export async function sandboxHello(
  deps: SmokeDeps,
): Promise<{ backend: string; outcome: string; stdout: string }> {
  const sandbox = await deps.sandbox();
  const res = await sandbox.run({
    files: {
      'hello.mjs':
        "import os from 'node:os';\nconsole.log(JSON.stringify({uid: process.getuid(), interfaces: Object.keys(os.networkInterfaces())}));\n",
    },
    command: ['/usr/bin/node', 'hello.mjs'],
    limits: { ...deps.limits, timeoutSec: SMOKE_SESSION_SEC },
  });
  if (res.outcome !== 'ok') throw new Error(`sandbox run ${res.outcome}: ${res.stderr.slice(0, 500)}`);
  return { backend: sandbox.backend, outcome: res.outcome, stdout: res.stdout.trim() };
}
