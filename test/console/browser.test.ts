import { spawn, execFile, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import type { Browser } from 'playwright-core';
import { readProgramDir } from '../../src/agent/program';
import { loadConfig } from '../../src/config';
import { TREE_NODE_MARK } from '../../src/report/charts';
import { EngineHarness } from '../engine/helpers';
import { parityConfig } from '../helpers/parityConfig';
import { launchChromium, screenshot } from './chromium';

/**
 * The console and the report in a real browser (Debian's chromium, headless, driven by
 * playwright-core) against the real stack: a one-generation run of the parity example domain
 * whose child the `all` approval policy holds; `hyperagents console` as the CLI starts it.
 * Screenshots go to test-artifacts/console/ (gitignored).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'hyperagents.js');
const XSS_NOTE = '<script>window.__xss = 1</script> looks fine';
const NODE_MARKS = `g.mark-symbol.${TREE_NODE_MARK} path`;

const { env, remove } = parityConfig('console-e2e');

/** `hyperagents console --port 0`: its URL and the token it printed once. */
async function startConsoleProcess(): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, [BIN, 'console', '--port', '0'], {
    env: { ...env, HYPERAGENTS_CONSOLE_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console did not start: ${out}`)), 30_000);
    const look = (d: Buffer) => {
      out += d.toString();
      const url = /console (http:\/\/\S+?)\/ /.exec(out)?.[1];
      const token = /shown once\): (\S+)/.exec(out)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ child, url, token });
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`console exited (${code}): ${out}`)));
  });
}

/** A POST from outside a browser, with whatever Origin and token an attacker would send. */
function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('console and report in a browser, on the stack', () => {
  let harness: EngineHarness;
  let runId: string;
  let done: Promise<unknown>;
  let server: { child: ChildProcess; url: string; token: string };
  let browser: Browser;
  let attacker: http.Server | undefined;

  beforeAll(async () => {
    harness = await new EngineHarness(loadConfig({ env })).start();
    const started = await harness.startRun({
      domains: ['parity'],
      budget: { generations: 1 },
      approval: 'all',
      seed: 'console-e2e',
      testAtEnd: false,
    });
    runId = started.runId;
    done = started.handle.result();
    done.catch(() => undefined);
    [server, browser] = await Promise.all([startConsoleProcess(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.child.exitCode === null) {
      const gone = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await gone;
    }
    attacker?.closeAllConnections();
    attacker?.close();
    await harness?.stop(runId);
    remove();
  });

  test('lists the run, draws its charts and tree, approves the held child with the button', async () => {
    const held = await harness.waitFor(runId, (s) => s.pending.length === 1, 150_000);
    const nodeId = held.pending[0]!.nodeId;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // The runs list (the token arrives in the fragment and stays in the tab).
    await page.goto(`${server.url}/#token=${server.token}`);
    const row = page.locator(`tr[data-run="${runId}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(6).innerText()).toBe('1'); // pending approvals
    await screenshot(page, 'runs.png');

    // The run page: three charts; the tree has a mark per archive node.
    await page.goto(`${server.url}/runs/${runId}`);
    const nodes = await harness.nodes(runId);
    expect(nodes).toHaveLength(2);
    await expect(page.locator(NODE_MARKS).count()).resolves.toBe(nodes.length);
    await expect(page.locator('#chart-scores svg').count()).resolves.toBe(1);
    await expect(page.locator('#chart-spend svg').count()).resolves.toBe(1);
    await expect(page.locator('#nodes tbody tr').count()).resolves.toBe(nodes.length);
    await screenshot(page, 'run.png');

    // The real validator's refusal shows on the page: a form pointed at a node that is not held.
    const stale = await browser.newPage();
    await stale.goto(`${server.url}/runs/${runId}/nodes/${nodeId}#token=${server.token}`);
    await stale.locator('pre#notes, p.muted').first().waitFor();
    await stale.evaluate("document.querySelector('form.decide').dataset.node = 'gen-00000'");
    await stale.fill('form.decide input[name=reviewer]', 'ada');
    await stale.click('form.decide button[data-action=approve]');
    const refusal = stale.locator('form.decide output.msg.err');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/gen-00000 is not waiting for approval/);
    await screenshot(stale, 'refused.png');

    // A cross-origin page cannot approve, even knowing the token; nor can a request without it.
    attacker = http
      .createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'))
      .listen(0, '127.0.0.1');
    await new Promise((r) => attacker!.once('listening', r));
    const evil = await browser.newPage();
    const { port } = attacker.address() as { port: number };
    await evil.goto(`http://127.0.0.1:${port}/`);
    const approveUrl = `${server.url}/api/runs/${runId}/nodes/${nodeId}/approve`;
    const crossOrigin = await evil.evaluate(
      async ([u, t]) => {
        const results: string[] = [];
        for (const init of [
          // With the token: a preflight, which the console refuses.
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hyperagents-token': t! },
            body: '{"reviewer":"eve"}',
          },
          // A "simple" request needs no preflight; the console refuses its Origin.
          { method: 'POST', mode: 'no-cors' as const, body: '{"reviewer":"eve"}' },
        ]) {
          try {
            const r = await fetch(u!, init);
            results.push(r.type === 'opaque' ? 'opaque' : String(r.status));
          } catch {
            results.push('blocked');
          }
        }
        return results;
      },
      [approveUrl, server.token],
    );
    expect(crossOrigin).toEqual(['blocked', 'opaque']);
    const json = { 'content-type': 'application/json' };
    expect(await post(approveUrl, json, '{"reviewer":"eve"}')).toBe(403);
    expect(
      await post(
        approveUrl,
        { ...json, 'x-hyperagents-token': server.token, origin: `http://127.0.0.1:${port}` },
        '{"reviewer":"eve"}',
      ),
    ).toBe(403);
    expect((await harness.status(runId)).pending.map((p) => p.nodeId)).toEqual([nodeId]);

    // Approve with the button: the run moves on and ends; the node records who and when.
    const form = page.locator(`form.decide[data-node="${nodeId}"]`);
    await form.locator('input[name=note]').fill(XSS_NOTE);
    await form.locator('input[name=reviewer]').fill('ada');
    await form.locator('button[data-action=approve]').click();
    await form.locator('output.msg.ok, output.msg.err').waitFor();
    expect(await form.locator('output').innerText()).toBe(`${nodeId} approved`);
    await harness.waitFor(runId, (s) => s.pending.length === 0 && s.decided[nodeId] === 'approved');
    await done;
    const record = (await harness.nodes(runId)).find((n) => n.nodeId === nodeId)!;
    expect(record.approval).toMatchObject({ status: 'approved', by: 'ada', note: XSS_NOTE });
    expect(Date.parse(record.approval!.at!)).toBeGreaterThan(Date.now() - 300_000);

    // The note, an agent-controlled string here, is shown as text and never runs.
    await page.goto(`${server.url}/runs/${runId}/nodes/${nodeId}`);
    expect(await page.locator('#approval q.note').innerText()).toBe(XSS_NOTE);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(await page.locator('#approval').innerText()).toMatch(/approved by ada at/);
    await screenshot(page, 'node.png');
    expect(errors).toEqual([]);
  });

  test('the approved node is promoted from its page; the CLI lists the release, refuses it twice and exports it', async () => {
    const nodeId = (await harness.nodes(runId)).find((n) => n.approval?.status === 'approved')!.nodeId;
    const page = await browser.newPage();
    await page.goto(`${server.url}/runs/${runId}/nodes/${nodeId}#token=${server.token}`);
    // The reviewer's name is the one the approval form remembered in this tab, else asked for.
    page.once('dialog', (d) => void d.accept('ada'));
    await page.locator('#promote:not([disabled])').click();
    const said = page.locator('.promote output.msg.ok, .promote output.msg.err');
    await said.waitFor();
    const message = await said.innerText();
    expect(message).toMatch(new RegExp(`^promoted ${runId}/${nodeId} as release r\\d{4}$`));
    const releaseId = message.split(' ').pop()!;
    await page.close();

    const cli = promisify(execFile);
    const listed = JSON.parse(
      (await cli(process.execPath, [BIN, 'releases', '--json'], { env })).stdout,
    ) as Array<{
      releaseId: string;
      runId: string;
      nodeId: string;
      promotedBy: string;
    }>;
    expect(listed.filter((m) => m.runId === runId)).toEqual([
      expect.objectContaining({ releaseId, nodeId, promotedBy: 'ada' }),
    ]);
    const again = await cli(process.execPath, [BIN, 'promote', runId, nodeId, '--by', 'bob'], { env }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(again?.code).toBe(1);
    expect(again?.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`${runId}/${nodeId} is already promoted: release ${releaseId}`),
    ]);

    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'console-release-')), 'release');
    try {
      const exported = await cli(process.execPath, [BIN, 'export', releaseId, out], { env });
      expect(exported.stdout).toMatch(new RegExp(`^exported ${releaseId} to `));
      // The release is the node's program, file for file.
      const node = (await harness.nodes(runId)).find((n) => n.nodeId === nodeId)!;
      expect(await readProgramDir(path.join(out, 'program'))).toEqual(
        await harness.archive.getProgram(node.snapshotKey),
      );
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });

  test('the report opens offline and shows the charts', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'console-report-'));
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'report', runId, '--out', out], {
      env,
    });
    const file = /: (\/\S+\.html)$/m.exec(stdout)?.[1];
    expect(file).toBeDefined();
    const context = await browser.newContext({ offline: true });
    const requests: string[] = [];
    await context.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    );
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    const nodes = await harness.nodes(runId);
    await expect(page.locator(NODE_MARKS).count()).resolves.toBe(nodes.length);
    await expect(page.locator('#chart-scores svg').count()).resolves.toBe(1);
    await expect(page.locator('#chart-spend svg').count()).resolves.toBe(1);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await screenshot(page, 'report.png');
    await context.close();
  });
});
