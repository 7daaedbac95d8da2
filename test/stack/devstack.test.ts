import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { down, status, up } from '../../src/devstack';

/** A second, private stack: its own state folder and ports, so the suite's stack is untouched. */
function privateConfig(stateDir: string, base: number) {
  return loadConfig({
    env: {
      HYPERAGENTS_STATE_DIR: stateDir,
      HYPERAGENTS_TEMPORAL_PORT: String(base),
      HYPERAGENTS_TEMPORAL_UI_PORT: String(base + 1),
      HYPERAGENTS_S3_PORT: String(base + 2),
    },
  });
}

/** Every process on the machine whose command line mentions the folder. */
function processesMentioning(dir: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmd.includes(dir) ? [`${pid}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
}

test('dev up twice is a no-op the second time, and dev down leaves no process of ours', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-stack-'));
  const c = privateConfig(stateDir, 17233);
  const lines: string[] = [];
  try {
    await up(c, (m) => lines.push(m));
    const first = await status(c);
    expect(first.filter((s) => s.running).map((s) => s.name)).toEqual(['temporal', 's3', 'docker']);

    lines.length = 0;
    await up(c, (m) => lines.push(m));
    expect(lines.filter((l) => l.includes('starting'))).toEqual([]);
    expect(lines.filter((l) => l.includes('already running'))).toHaveLength(3);
    expect((await status(c)).map((s) => s.pid)).toEqual(first.map((s) => s.pid));
  } finally {
    await down(c, () => undefined);
  }
  expect((await status(c)).filter((s) => s.running)).toEqual([]);
  expect(processesMentioning(stateDir)).toEqual([]);
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 240_000);

test('dev up refuses a port held by a process it did not start, naming the port', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-stack-'));
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(17333, '127.0.0.1', r));
  const c = privateConfig(stateDir, 17333);
  try {
    await expect(up(c, () => undefined)).rejects.toThrow(
      /temporal: port 17333 is already in use by a process hyperagents did not start/,
    );
    expect(processesMentioning(stateDir)).toEqual([]);
  } finally {
    squatter.close();
    await down(c, () => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('with an external Temporal and S3, dev up starts neither (nor needs them) and status says external', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-stack-'));
  const c = loadConfig({
    env: {
      HYPERAGENTS_STATE_DIR: stateDir,
      // Nothing listens at either: dev up must not try them.
      HYPERAGENTS_TEMPORAL_ADDRESS: '127.0.0.1:1',
      HYPERAGENTS_S3_EMBEDDED: 'false',
      HYPERAGENTS_S3_ENDPOINT: 'http://127.0.0.1:1',
      HYPERAGENTS_TEMPORAL_PORT: '17433',
      HYPERAGENTS_TEMPORAL_UI_PORT: '17434',
      HYPERAGENTS_S3_PORT: '17435',
      HYPERAGENTS_DOCKER: 'off',
    },
  });
  const lines: string[] = [];
  try {
    await up(c, (m) => lines.push(m));
    expect(lines.slice(0, 2)).toEqual([
      'temporal: external, not started (127.0.0.1:1 namespace default)',
      's3: external, not started (http://127.0.0.1:1 bucket hyperagents)',
    ]);
    for (const port of [17433, 17434, 17435]) {
      const open = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      expect(open).toBe(false);
    }
    const rows = await status(c);
    expect(rows.slice(0, 2)).toEqual([
      {
        name: 'temporal',
        running: false,
        external: true,
        endpoint: '127.0.0.1:1 namespace default',
        note: 'external',
      },
      {
        name: 's3',
        running: false,
        external: true,
        endpoint: 'http://127.0.0.1:1 bucket hyperagents',
        note: 'external',
      },
    ]);
    expect(processesMentioning(stateDir)).toEqual([]);
  } finally {
    await down(c, () => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
