import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dockerClient, stateLayout } from '../../src/devstack';
import {
  BubblewrapSandbox,
  DockerSandbox,
  ensureRootfs,
  ensureSandboxImage,
  type Sandbox,
  type SandboxResult,
  type SandboxRunSpec,
} from '../../src/sandbox';
import { stackConfig } from '../helpers/stack';
import { cleanHost, hostState, leftSince } from './hostState';

/**
 * What every hostile-agent suite shares: the two backends, the tight limits each case runs under,
 * and a runner that records the observed classification and checks the host is left clean.
 */

const c = stackConfig();
export const docker = dockerClient(c);
export const layout = stateLayout(c);
export const limits = { memoryMb: 96, cpus: 1, pids: 32, timeoutSec: 8, scratchMb: 8 };
export const env = { PATH: '/usr/bin:/bin', HOME: '/home/agent' };

/** A session running one ES module as `agent.mjs`. */
export const node = (program: string) => ({
  files: { 'agent.mjs': program },
  command: ['/usr/bin/node', 'agent.mjs'],
});
export const reversed = (s: string) => s.split('').reverse().join('');
/** The program's last line of output, parsed; callers that read fields say which shape they expect. */
export const lastJson = (r: SandboxResult): unknown =>
  JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');

export type BackendName = 'docker' | 'bubblewrap';
export const backends: Array<[BackendName, () => Promise<Sandbox>]> = [
  ['docker', async () => new DockerSandbox(docker, await ensureSandboxImage(docker, layout.sandboxRoot))],
  ['bubblewrap', async () => new BubblewrapSandbox(ensureRootfs(layout.sandboxRoot).dir)],
];

/**
 * Observed classifications of one suite file, written to the temp folder after it ran
 * (`hyperagents-hostile-observed-<suite>.json`) for the table in docs/security.md.
 */
export function observedLog(suite: string): (kind: string, backend: BackendName, what: string) => void {
  const observed: Record<string, Record<string, string>> = {};
  afterAll(() => {
    fs.writeFileSync(
      path.join(os.tmpdir(), `hyperagents-hostile-observed-${suite}.json`),
      JSON.stringify(observed, null, 1),
    );
  });
  return (kind, backend, what) => {
    (observed[kind] ??= {})[backend] = what;
  };
}

export type HostileSpec = Omit<SandboxRunSpec, 'limits'> & { limits?: Partial<SandboxRunSpec['limits']> };

/** Runs one case on `sandbox`, records its outcome under `kind`, and checks nothing of it is left. */
export function hostileRunner(
  backend: BackendName,
  sandbox: () => Sandbox,
  record: ReturnType<typeof observedLog>,
): (kind: string, spec: HostileSpec) => Promise<SandboxResult> {
  return async (kind, spec) => {
    const before = await hostState(docker);
    const res = await sandbox().run({ env, ...spec, limits: { ...limits, ...spec.limits } });
    record(kind, backend, res.outcome + (res.violation ? ` (${res.violation})` : ''));
    expect(await leftSince(docker, before)).toEqual(cleanHost());
    return res;
  };
}
