import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Where the reliability tests leave their figures (kills, recovery seconds, nodes lost or doubled)
 * for bench/reliability-doc.ts to put in docs/reliability.md: RELIABILITY_FIGURES_DIR, else a
 * folder under the system's temp folder. The tests assert behaviour; these are only what they saw.
 */
export function figuresDir(): string {
  return process.env.RELIABILITY_FIGURES_DIR ?? path.join(os.tmpdir(), 'hyperagents-reliability');
}

export function writeFigures(test: string, figures: Record<string, unknown>): void {
  fs.mkdirSync(figuresDir(), { recursive: true });
  fs.writeFileSync(path.join(figuresDir(), `${test}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
