/**
 * `hyperagents status --watch` on a real run, its output piped (not a TTY): while a generation is
 * evaluated it prints what it does and how many tasks are done of the stage's total, in plain
 * lines without cursor control. Piped, a change of counts alone is printed at most
 * every 10 s (src/cli/progress.ts), so the parity domain's scoring is held 20 s an answer here
 * (test/reliability/slowParity.js) and the run is ended once the line has been seen. The run is on
 * an in-process worker; the CLI is the build, as a user runs it.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/host/assets';
import { EngineHarness } from '../engine/helpers';
import { parityConfig } from '../helpers/parityConfig';

const DELAY = { SLOW_PARITY_DELAY_MS: '20000' };
const parity = parityConfig('watch-e2e', path.join(projectRoot, 'test', 'reliability', 'slowParity.js'));
const env = { ...parity.env, ...DELAY };
const COUNTED = /^ *gen-\d+: evaluating parity (train|val) \w+ \d+\/\d+ tasks$/m;

let harness: EngineHarness;
beforeAll(async () => {
  Object.assign(process.env, DELAY); // the in-process worker loads the domain in this process
  harness = await new EngineHarness(loadConfig({ env })).start();
}, 60_000);
afterAll(async () => {
  delete process.env.SLOW_PARITY_DELAY_MS;
  await harness?.stop();
  parity.remove();
});

test('status --watch, piped, says which stage runs and its tasks done of total, in plain lines', async () => {
  const { runId, handle } = await harness.startRun({
    domains: ['parity'],
    budget: { generations: 1 },
    seed: 'watch-e2e',
    testAtEnd: false,
  });
  const watcher = spawn(
    process.execPath,
    [path.join(projectRoot, 'bin', 'hyperagents.js'), 'status', runId, '--watch'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  watcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
  watcher.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const deadline = Date.now() + 90_000;
    while (!COUNTED.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  } finally {
    watcher.kill();
    await handle.terminate('test over').catch(() => undefined);
  }
  expect(out).toMatch(new RegExp(`^${runId} \\(dgm-h, domains parity\\): generation 0/1`, 'm'));
  expect(out).toMatch(COUNTED);
  expect(out).not.toMatch(/\x1b/); // eslint-disable-line no-control-regex
}, 180_000);
