/**
 * Writes docs/reliability.md from a run of the reliability suite (test/reliability): jest's own
 * verdict per test, the figures the fault tests leave (test/reliability/figures.ts) and the line
 * each bad-input case printed. Nothing in the page is typed by hand: a fault without a test says so.
 *
 * Run after a build, stack up, datasets in HYPERAGENTS_DATA_DIR:
 * `node dist/bench/reliability-doc.js [--soak <file with the output of bench/soak.js>]`. With
 * `--soak <file> --soak-only` it rewrites only the page's long-run section, from the soak's output,
 * and runs no test (the soak takes longer than the suite).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { format, resolveConfig } from 'prettier';
import { projectRoot } from '../src/host/assets';
import { median } from './runs';

interface JestResult {
  testResults: Array<{
    name: string;
    assertionResults: Array<{ fullName: string; status: string; duration?: number | null }>;
  }>;
}
interface BadInputLine {
  id: string;
  group: string;
  what: string;
  code: number;
  lines: string[];
}

/** The worker kills: the test that injects each, by its figures file and a piece of its name. */
const KILLS = [
  {
    fault: 'Worker SIGKILL in every kind of activity and after continue-as-new',
    test: { figures: 'worker-kill', name: 'SIGKILLed workers' },
  },
  {
    fault: 'Two workers on one task queue, one killed mid-generation',
    test: { figures: 'two-workers', name: 'two workers, one killed' },
  },
];

/** A service under the run fails (test/reliability/stack-faults.test.ts, on a private stack). */
const SERVICES = [
  {
    fault: 'Temporal dev server SIGKILLed, restarted on its SQLite file',
    figures: 'temporal-restart',
    name: 'Temporal server SIGKILLed',
  },
  { fault: 'S3 server stopped for 30 s', figures: 's3-outage', name: 'S3 server stopped' },
  { fault: 'dockerd stopped mid-evaluation', figures: 'docker-stop', name: 'dockerd stopped' },
  { fault: 'Disk full in the state folder', figures: 'disk-full', name: 'disk full' },
];

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/`/g, "'");
const verdict = (passed: boolean | undefined) =>
  passed === undefined ? 'no test yet' : passed ? 'passes' : 'FAILS';

function killRow(fault: string, figures: Record<string, unknown> | undefined, passed: boolean | undefined) {
  if (!figures || passed === undefined) return `| ${fault} | ${verdict(passed)} | | | | | |`;
  const recovery = (figures.recoverySec as number[]) ?? [];
  const by = Object.entries((figures.byTarget as Record<string, number>) ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `| ${fault} | ${verdict(passed)} | ${String(figures.kills)} (${by}` +
    `${figures.missedKills ? `; ${Number(figures.missedKills)} more came after their activity had finished` : ''}) | ` +
    `${median(recovery)?.toFixed(1)} / ${Math.max(...recovery).toFixed(1)} | ${String(figures.lost)} | ` +
    `${String(figures.doubled)} | ${String(figures.leftovers)} |`
  );
}

function serviceRow(
  fault: string,
  figures: Record<string, unknown> | undefined,
  passed: boolean | undefined,
) {
  if (!figures || passed === undefined) return `| ${fault} | ${verdict(passed)} | | | | | |`;
  const outage = figures.outageSec as number;
  return (
    `| ${fault} | ${verdict(passed)} | ${outage.toFixed(1)} | ${(figures.recoverySec as number).toFixed(1)} | ` +
    `${String(figures.generations)} | ${String(figures.lost)} | ${String(figures.doubled)} |`
  );
}

/** The LLM endpoint faults (test/reliability/llm-faults.test.ts), as rows of what was seen. */
function llmRows(f: Record<string, unknown> | undefined, passed: boolean | undefined): string[] {
  if (!f || passed === undefined) return [`| test | ${verdict(passed)} |`];
  const usd = (x: unknown) => `$${(x as number).toFixed(4)}`;
  const faults = Object.entries((f.worldFaults as Record<string, number>) ?? {})
    .map(([k, v]) => `${k.replace(/^fault:/, '')} ${v}`)
    .join(', ');
  return [
    `| test | ${verdict(passed)} |`,
    `| requests the endpoint saw / answered whole | ${String(f.worldRequests)} / ${String(f.worldAnswered)} |`,
    `| faults it answered with | ${faults} |`,
    `| retries (max attempts ${String(f.maxAttempts)}, request timeout ${String(f.requestTimeoutSec)} s) | ${String(f.retries)}; calls out of attempts ${String(f.exhausted)}; malformed replies not retried ${String(f.malformedNotRetried)} |`,
    `| calls charged / charged twice / answered but not charged | ${String(f.chargedCalls)} / ${String(f.chargedTwice)} / ${String(f.answeredNotCharged)} |`,
    `| spent / what the endpoint answered, at the prices | ${usd(f.spentUsd)} / ${usd(f.worldAnsweredUsd)} |`,
    `| budget: spent over the cap / calls refused / refused though they would fit once the calls in flight settled | ${usd(f.overCapUsd)} / ${String(f.refused)} / ${String(f.refusedForInFlight)} |`,
    `| generations, stop | ${String(f.generations)}, ${cell(String(f.stopReason))} |`,
  ];
}

/** The page's last section: the soak's output, when there is one. */
function longRun(soak: string | undefined): string {
  const body =
    soak && fs.existsSync(soak)
      ? `\`node dist/bench/soak.js --generations 1000\`, last result:\n\n${fs.readFileSync(soak, 'utf8').trim()}`
      : 'The 1,000-generation soak (`node dist/bench/soak.js --generations 1000`) has not been recorded yet.';
  return `## Long run\n\n${body}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { soak: { type: 'string' }, 'soak-only': { type: 'boolean', default: false } },
  });
  const target = path.join(projectRoot, 'docs', 'reliability.md');
  if (values['soak-only']) {
    if (!values.soak || !fs.existsSync(values.soak)) throw new Error('--soak-only needs --soak <file>');
    const page = fs.readFileSync(target, 'utf8');
    const at = page.indexOf('## Long run');
    if (at < 0) throw new Error(`${target} has no '## Long run' section: generate the whole page first`);
    const updated = `${page.slice(0, at)}${longRun(values.soak)}\n`;
    fs.writeFileSync(target, await format(updated, { ...(await resolveConfig(target)), parser: 'markdown' }));
    process.stdout.write('docs/reliability.md: long-run section written\n');
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-doc-'));
  const figuresDir = path.join(work, 'figures');
  const linesFile = path.join(work, 'bad-input.jsonl');
  const jsonFile = path.join(work, 'jest.json');
  const started = Date.now();
  spawnSync(
    path.join(projectRoot, 'node_modules', '.bin', 'jest'),
    ['--runInBand', '--json', '--outputFile', jsonFile, 'test/reliability'],
    {
      cwd: projectRoot,
      env: { ...process.env, RELIABILITY_FIGURES_DIR: figuresDir, BAD_INPUT_LINES: linesFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const minutes = (Date.now() - started) / 60_000;
  const jest = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as JestResult;
  const results = jest.testResults.flatMap((f) => f.assertionResults);
  const status = (name: string) => results.find((r) => r.fullName.includes(name))?.status;
  const passedOf = (name: string) => {
    const st = status(name);
    return st === undefined ? undefined : st === 'passed';
  };
  const figures = (test: string) => {
    const file = path.join(figuresDir, `${test}.json`);
    return fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)
      : undefined;
  };
  const lines = fs.existsSync(linesFile)
    ? fs
        .readFileSync(linesFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as BadInputLine)
    : [];
  // Jest's full name starts with the describe block's: the case's own name follows it.
  const badResults = results.filter((r) => /(^|\s)(config|cli|program|stored): /.test(r.fullName));
  const passedBad = badResults.filter((r) => r.status === 'passed').length;
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' });

  const page = [
    '# Reliability',
    '',
    'Generated by `node dist/bench/reliability-doc.js` (bench/reliability-doc.ts) from one run of',
    '`test/reliability` on the real embedded stack; do not edit by hand. The tests assert the',
    'behaviour (the run completes, nothing lost, doubled or left over; one clear line per mistake,',
    'no state changed); the figures are what they measured.',
    '',
    `Last run: commit \`${commit.stdout.trim()}\`, ${new Date().toISOString().slice(0, 10)}, ` +
      `${os.cpus().length} vCPU ${os.cpus()[0]?.model.trim() ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `${minutes.toFixed(1)} min.`,
    '',
    '## Faults',
    '',
    '### Worker kills',
    '',
    '| fault | test | kills survived (by kind of work) | recovery s median / max | nodes lost | nodes doubled | leftovers |',
    '|---|---|---|---:|---:|---:|---:|',
    ...KILLS.map((k) => killRow(k.fault, figures(k.test.figures), passedOf(k.test.name))),
    '',
    'Recovery is the time from the SIGKILL to the interrupted activity starting again on the',
    'restarted worker (read from Temporal), or after a continue-as-new to any work starting: a',
    'heartbeat timeout of 12 s, heartbeats every 2 s.',
    '',
    '### Services',
    '',
    '| fault | test | outage s | recovery s | generations | nodes lost | nodes doubled |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...SERVICES.map((x) => serviceRow(x.fault, figures(x.figures), passedOf(x.name))),
    '',
    'Each on a private stack whose state folder is a 1 GiB tmpfs, with the real worker in its own',
    'process; the run must end with the archive of the same run without the fault, node for node',
    'and score for score, and no container or volume of its worker left. Outage: from the fault to',
    'the service back (for the disk, to the space freed); recovery: from then to the next activity',
    'completed. While the disk is full the run says why its attempts fail ("disk full: <folder>',
    'has 0 MB free"), and activities retry with backoff (at most 30 s apart, about 3.5 min in all).',
    'The dockerd test scores on the host slowly (test/reliability/slowParity.js) so that the fault',
    'lands inside an evaluation stage, and checks that the stage failed and was retried.',
    '',
    '### LLM endpoint: 429 with retry-after, 500, hangs, malformed replies',
    '',
    '| | |',
    '|---|---|',
    ...llmRows(figures('llm-faults'), passedOf('429 with retry-after')),
    '',
    'One evolution run in the scripted LLM world (a test rig, not an LLM) until its USD budget stops',
    "it; spend and retries are checked against the world's own request log.",
    '',
    '## Bad input',
    '',
    `${badResults.length} cases, ${passedBad} pass (test/reliability/badInputCases.ts). Each runs the built CLI and`,
    'checks the exit code, exactly one line naming the problem, no stack trace and no state changed.',
    '',
    '| case | what | exit | the line |',
    '|---|---|---:|---|',
    ...lines.map(
      (l) =>
        `| ${l.group}: ${l.id} | ${cell(l.what)} | ${l.code} | \`${cell(l.lines.join(' ').slice(0, 160))}\` |`,
    ),
    '',
    longRun(values.soak),
    '',
  ].join('\n');
  // Laid out as the repository's formatter wants it, so `prettier --check` passes on the page.
  fs.writeFileSync(target, await format(page, { ...(await resolveConfig(target)), parser: 'markdown' }));
  fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(
    `docs/reliability.md written (${results.length} tests, ${lines.length} bad-input lines)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
