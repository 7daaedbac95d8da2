import * as fs from 'fs';
import * as path from 'path';
import type { ConsoleBackend } from './backend';
import { runPage } from './pages';
import { runPageData, type SvgRenderer } from './server';

/**
 * `hyperagents report`: the run page's pictures as one self-contained HTML file (inline SVG and
 * CSS, no script, no external resource), readable offline; node links point within the file.
 */
export async function writeReport(
  backend: ConsoleBackend,
  render: SvgRenderer,
  runId: string,
  outDir: string,
): Promise<string> {
  const data = await runPageData(backend, render, runId, 'report');
  const file = path.join(outDir, `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(file, runPage({ ...data, generatedAt: new Date().toISOString() }));
  return file;
}
