import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../src/host/assets';

/** Debian's chromium package (playwright's own browser download does not work here). */
const CHROMIUM = process.env.HYPERAGENTS_CHROMIUM ?? '/usr/bin/chromium';
/** Where the browser tests leave their screenshots (gitignored). */
const ARTIFACTS = path.join(projectRoot, 'test-artifacts', 'console');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** A full-page screenshot of `page` as test-artifacts/console/<name>. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}
