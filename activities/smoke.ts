import type { ObjectStore } from '../src/storage';
import type { Sandbox } from '../src/sandbox';
import type { SandboxLimits } from '../src/sandbox';

export interface SmokeDeps {
  store: ObjectStore;
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
}

export function smokeActivities(deps: SmokeDeps) {
  return {
    async storeRoundTrip(runId: string): Promise<{ objectKey: string; bytesReadBack: number }> {
      const objectKey = `smoke/${runId}.json`;
      const body = JSON.stringify({ runId, at: new Date().toISOString() });
      await deps.store.put(objectKey, body, 'application/json');
      const back = await deps.store.get(objectKey);
      if (!back || back.toString() !== body) throw new Error(`S3 returned different bytes for ${objectKey}`);
      return { objectKey, bytesReadBack: back.length };
    },

    async sandboxHello(): Promise<{ backend: string; outcome: string; stdout: string }> {
      const sandbox = await deps.sandbox();
      const res = await sandbox.run({
        files: {
          'hello.mjs':
            "import os from 'node:os';\nconsole.log(JSON.stringify({uid: process.getuid(), interfaces: Object.keys(os.networkInterfaces())}));\n",
        },
        command: ['/usr/bin/node', 'hello.mjs'],
        limits: { ...deps.limits, timeoutSec: 30 },
      });
      if (res.outcome !== 'ok') throw new Error(`sandbox run ${res.outcome}: ${res.stderr.slice(0, 500)}`);
      return { backend: sandbox.backend, outcome: res.outcome, stdout: res.stdout.trim() };
    },
  };
}

export type SmokeActivities = ReturnType<typeof smokeActivities>;
