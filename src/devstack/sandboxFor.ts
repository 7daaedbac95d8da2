import * as fs from 'fs';
import type { Config } from '../config';
import { BubblewrapSandbox, DockerSandbox, ensureRootfs, ensureSandboxImage, type Sandbox } from '../sandbox';
import { dockerClient } from './docker';
import { stateLayout } from './layout';

/** The sandbox the stack selected at `dev up` (or the one forced by config). */
export async function sandboxFor(c: Config): Promise<Sandbox> {
  const l = stateLayout(c);
  let backend = c.sandbox.backend;
  if (backend === 'auto') {
    const recorded = fs.existsSync(l.backendFile)
      ? (JSON.parse(fs.readFileSync(l.backendFile, 'utf8')) as { backend: 'docker' | 'bubblewrap' }).backend
      : undefined;
    if (!recorded) throw new Error('the stack is not up: run `hyperagents dev up` first');
    backend = recorded;
  }
  if (backend === 'docker') {
    const docker = dockerClient(c);
    return new DockerSandbox(docker, await ensureSandboxImage(docker, l.sandboxRoot));
  }
  return new BubblewrapSandbox(ensureRootfs(l.sandboxRoot).dir, {
    allowRlimitFallback: c.sandbox.allowRlimitFallback,
  });
}
