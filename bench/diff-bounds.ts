/**
 * What a large program diff costs with the bounds of `DIFF_LIMITS`: a file of N lines rewritten end
 * to end (the worst case, shown whole past the bound) and one with every 10th line changed (kept
 * line by line while within it), and how often a 1 ms timer ticked on the calling thread meanwhile
 * (the diff runs on a worker thread, so the thread that heartbeats stays free). Prints a Markdown
 * table. No stack needed. Run after a build: `node dist/bench/diff-bounds.js [N ...]`
 * (default 2000 8000 16000).
 */
import { diffPrograms } from '../src/agent/program/diff';

function code(lines: number, tag: (i: number) => string): string {
  return Array.from({ length: lines }, (_, i) => `export const v${i} = '${tag(i)}';\n`).join('');
}

async function measure(parent: string, child: string) {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const start = process.hrtime.bigint();
  const d = await diffPrograms({ 'big.mjs': parent }, { 'big.mjs': child });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(timer);
  return { ms, ticks, whole: d.wholeFile.length > 0, patchLines: d.patch.split('\n').length - 1 };
}

async function main() {
  const sizes = process.argv.slice(2).map(Number);
  const rows: string[] = [];
  for (const n of sizes.length ? sizes : [2000, 8000, 16000]) {
    const parent = code(n, (i) => `old-${i}`);
    const cases = {
      'rewritten end to end': code(n, (i) => `new-${i}`),
      'every 10th line changed': code(n, (i) => (i % 10 === 0 ? `new-${i}` : `old-${i}`)),
    };
    for (const [name, child] of Object.entries(cases)) {
      const m = await measure(parent, child);
      rows.push(
        `| ${n} | ${name} | ${m.ms.toFixed(0)} | ${m.whole ? 'whole file' : 'line by line'} | ${m.patchLines} | ${m.ticks} |`,
      );
    }
  }
  console.log('| lines | change | ms | patch | patch lines | 1 ms timer ticks meanwhile |');
  console.log('| ---: | --- | ---: | --- | ---: | ---: |');
  for (const r of rows) console.log(r);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
