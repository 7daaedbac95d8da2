import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dockerClient, stateLayout } from '../../src/devstack';
import {
  HOST_LABEL,
  LABEL,
  WORKER_LABEL,
  currentWorker,
  ensureSandboxImage,
  sweepLeftovers,
  workerAlive,
} from '../../src/sandbox';
import { SessionCgroup } from '../../src/sandbox/cgroup';
import { closeSession, openSession } from '../../src/sandbox/owner';
import { WorkArea } from '../../src/sandbox/workArea';
import { stackConfig } from '../helpers/stack';

const c = stackConfig();
const docker = dockerClient(c);
// A worker that ran before a reboot (other boot id) and one whose pid no longer runs this process.
const rebooted = 'deadbeef-4242-1';
const [boot] = currentWorker().split('-');
const exited = `${boot}-999999-12345`;
const suffix = () => Math.random().toString(16).slice(2, 10).padEnd(8, '0');

test('tokens name the current worker as alive and others as dead', () => {
  expect(workerAlive(currentWorker())).toBe(true);
  expect(workerAlive(rebooted)).toBe(false);
  expect(workerAlive(exited)).toBe(false);
  expect(workerAlive('not-a-token')).toBe(false);
});

test("removes a dead worker's containers, volumes, cgroups and work areas, and those of this worker's ended sessions, and nothing of a running session", async () => {
  const image = await ensureSandboxImage(docker, stateLayout(c).sandboxRoot);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-'));
  const made = { dead: [] as string[], live: [] as string[] };
  const create = async (worker: string, kind: 'dead' | 'live', name = `ha-${worker}-${suffix()}`) => {
    const labels = { [LABEL]: 'sandbox', [WORKER_LABEL]: worker, [HOST_LABEL]: os.hostname() };
    await docker.createVolume({ Name: name, Labels: labels });
    await docker.createContainer({ name, Image: image, Cmd: ['/bin/true'], Labels: labels });
    SessionCgroup.create(name, { memoryMb: 32, cpus: 1, pids: 8 });
    WorkArea.create(name, 1, tmpDir);
    made[kind].push(name);
  };
  try {
    await create(rebooted, 'dead');
    await create(exited, 'dead');
    const running = openSession();
    await create(currentWorker(), 'live', running);
    // This process's session that ended without removing its resources (dockerd was down then).
    const ended = openSession();
    closeSession(ended);
    await create(currentWorker(), 'dead', ended);
    const report = await sweepLeftovers(docker, { tmpDir });
    // The sweep also takes what other dead workers left on the shared Docker engine (the faults
    // suites SIGKILL workers beside this one): of what this test made, exactly the dead go.
    const ours = (names: string[]) => names.filter((n) => [...made.dead, ...made.live].includes(n)).sort();
    expect(ours(report.containers)).toEqual([...made.dead].sort());
    expect(ours(report.volumes)).toEqual([...made.dead].sort());
    expect(ours(report.cgroups)).toEqual([...made.dead].sort());
    expect(report.workAreas.sort()).toEqual(made.dead.map((n) => `ha-bwrap-${n}`).sort());
    const live = made.live[0]!;
    expect(fs.readdirSync(tmpDir)).toEqual([`ha-bwrap-${live}`]);
    expect(SessionCgroup.list().filter((n) => made.dead.includes(n) || n === live)).toEqual([live]);
    const names = (await docker.listContainers({ all: true })).flatMap((x) => x.Names);
    expect(names.filter((n) => [...made.dead, live].includes(n.slice(1)))).toEqual([`/${live}`]);
  } finally {
    made.live.forEach(closeSession);
    const live = made.live[0];
    if (live) {
      await docker
        .getContainer(live)
        .remove({ force: true })
        .catch(() => undefined);
      await docker
        .getVolume(live)
        .remove()
        .catch(() => undefined);
      await SessionCgroup.open(live).remove();
      WorkArea.open(path.join(tmpDir, `ha-bwrap-${live}`)).remove();
    }
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
});
