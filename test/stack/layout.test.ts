import * as path from 'path';
import { loadConfig } from '../../src/config';
import { stateLayout } from '../../src/devstack';

const layoutFor = (stateDir: string) => stateLayout(loadConfig({ env: { HYPERAGENTS_STATE_DIR: stateDir } }));

test('a shallow state folder keeps the Docker sockets inside it', () => {
  const l = layoutFor('/work/main/.hyperagents');
  expect(l.dockerSocket).toBe('/work/main/.hyperagents/docker/docker.sock');
  expect(l.dockerExec).toBe('/work/main/.hyperagents/docker/exec');
});

test('a deep state folder moves them to a short folder named after it, stable and distinct', () => {
  const deep = `/srv/${'ci-clone-'.repeat(8)}/project/.hyperagents`;
  const a = layoutFor(deep);
  expect(a.dockerRoot).toBe(path.join(deep, 'docker', 'data')); // data stays with the state
  // containerd's own socket sits two levels below the exec root and must fit in 107 bytes.
  expect(path.join(a.dockerExec, 'containerd', 'containerd.sock').length).toBeLessThan(108);
  expect(layoutFor(deep).dockerSocket).toBe(a.dockerSocket);
  expect(layoutFor(`${deep}-other`).dockerSocket).not.toBe(a.dockerSocket);
});
