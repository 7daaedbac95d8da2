import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { EngineHarness } from '../engine/helpers';
import { parityConfig } from '../helpers/parityConfig';
import { launchChromium, screenshot } from './chromium';

/**
 * The Temporal Web UI (the dev server's, served locally) as a window on a run, in a real browser
 * (Debian's chromium, headless, driven by playwright-core): a one-generation run of the parity
 * example domain is found by `HyperagentsRunId`, run and generation listed, and the generation's
 * page shows its static summary (workflows/summaries.ts) in its user metadata. Screenshots go to test-artifacts/console/.
 */
const UI = process.env.HYPERAGENTS_TEMPORAL_UI ?? 'http://127.0.0.1:8233';
const WAIT = { timeout: 30_000 };
const { env, remove } = parityConfig('temporal-ui-e2e');

describe('the Temporal Web UI finds a run and shows its generation', () => {
  let harness: EngineHarness;
  let runId: string;
  let browser: Browser;

  beforeAll(async () => {
    harness = await new EngineHarness(loadConfig({ env })).start();
    const started = await harness.startRun({
      domains: ['parity'],
      budget: { generations: 1 },
      seed: 'temporal-ui-e2e',
      testAtEnd: false,
    });
    runId = started.runId;
    [browser] = await Promise.all([launchChromium(), started.handle.result()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop(runId);
    remove();
  });

  test('listed by HyperagentsRunId; the generation page shows "gen-1 of <run>"', async () => {
    const genId = `${runId}/gen-00001`;
    const gen = await harness.client.workflow.getHandle(genId).describe();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    // The list, filtered by the run's search attribute: the run and its generations.
    const query = encodeURIComponent(`HyperagentsRunId="${runId}"`);
    await page.goto(`${UI}/namespaces/default/workflows?query=${query}`);
    await page.getByText(genId, { exact: true }).first().waitFor(WAIT);
    await page.getByText(runId, { exact: true }).first().waitFor(WAIT);
    await screenshot(page, 'temporal-ui-list.png');

    // The generation's page, its user metadata tab: the static summary, which the UI renders as
    // markdown in an iframe of its own (the first on the tab, under "Summary").
    await page.goto(
      `${UI}/namespaces/default/workflows/${encodeURIComponent(genId)}/${encodeURIComponent(gen.runId)}/user-metadata`,
    );
    await page.getByText('Summary', { exact: true }).waitFor(WAIT);
    await page
      .frameLocator('iframe')
      .first()
      .getByText(`gen-1 of ${runId} · dgm-h · parity`, { exact: true })
      .waitFor(WAIT);
    await screenshot(page, 'temporal-ui-generation.png');
    await page.close();
  }, 90_000);
});
