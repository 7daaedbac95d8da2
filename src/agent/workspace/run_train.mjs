/**
 * Runs this program's current task agent on the train examples of the workspace, inside the meta
 * agent's sandbox, so an edit can be tried before the session ends. The engine writes this file into
 * workspace/ at the start of every meta-agent session; it is never inherited (workspace/ is not part
 * of the stored program), so editing it changes nothing for later generations.
 *
 *   node workspace/run_train.mjs [--domain d] [--limit n] [--failed] [--timeout-ms n]
 *
 * Reads workspace/examples/<domain>.json; --failed keeps the examples the parent scored below 1.
 * Prints one JSON line per task: { domain, id, prediction, parentPrediction, parentScore, ms } plus
 * `expected` and `correct` where the domain scores by plain comparison (the file's `comparison` is
 * "exact"); elsewhere only predictions (the real scorer runs on the host). Then one summary line per
 * domain. The task agent gets the LLM when the session has one (the same metered gateway).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WORKSPACE = path.dirname(fileURLToPath(import.meta.url));
const PROGRAM = path.dirname(WORKSPACE);
const SOCKET_ENV = 'HYPERAGENTS_LLM_SOCKET';

function parseArgs(argv) {
  const args = { domain: undefined, limit: 5, failed: false, timeoutMs: 60_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--domain') args.domain = argv[++i];
    else if (a === '--limit') args.limit = Number(argv[++i]);
    else if (a === '--failed') args.failed = true;
    else if (a === '--timeout-ms') args.timeoutMs = Number(argv[++i]);
    else
      throw new Error(
        `unknown argument ${a}; usage: node workspace/run_train.mjs [--domain d] [--limit n] [--failed] [--timeout-ms n]`,
      );
  }
  if (!Number.isInteger(args.limit) || args.limit < 1) throw new Error('--limit must be a positive integer');
  return args;
}

/** The LLM client the harness placed beside the program, when this session has a gateway. */
async function llmClient() {
  const url = path.join(PROGRAM, '..', 'harness', 'llm.mjs');
  if (!process.env[SOCKET_ENV] || !existsSync(url)) return null;
  const client = await import(pathToFileURL(url).href);
  return (await client.isAvailable({ timeoutMs: 10_000 })) ? client : null;
}

const same = (a, b) =>
  typeof a === 'string' && typeof b === 'string'
    ? a.trim().toLowerCase() === b.trim().toLowerCase()
    : JSON.stringify(a) === JSON.stringify(b);

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = path.join(WORKSPACE, 'examples');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const sets = files
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
    .filter((s) => args.domain === undefined || s.domain === args.domain);
  if (sets.length === 0) throw new Error(`no examples for ${args.domain ?? 'any domain'} in ${dir}`);
  // The program's console output must not mix with the result lines.
  const print = (v) => process.stdout.write(`${JSON.stringify(v)}\n`);
  for (const level of ['log', 'info', 'debug']) console[level] = console.error;
  const agent = await import(pathToFileURL(path.join(PROGRAM, 'task_agent.mjs')).href);
  const llm = await llmClient();
  for (const set of sets) {
    const exact = set.comparison === 'exact';
    const chosen = set.examples.filter((e) => !args.failed || e.score < 1).slice(0, args.limit);
    let correct = 0;
    let parentCorrect = 0;
    for (const e of chosen) {
      const started = Date.now();
      const line = { domain: set.domain, id: e.id };
      try {
        const ctx = {
          domain: set.domain,
          describe: set.describe,
          llm,
          memoryDir: path.join(PROGRAM, 'memory'),
        };
        const out = await withTimeout(Promise.resolve(agent.solve(e.input, ctx)), args.timeoutMs);
        line.prediction = out?.prediction;
      } catch (error) {
        line.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (exact) {
        line.expected = e.expected;
        line.correct = line.error === undefined && same(line.prediction, e.expected);
        if (line.correct) correct++;
      }
      if (e.score >= 1) parentCorrect++;
      print({ ...line, parentPrediction: e.prediction, parentScore: e.score, ms: Date.now() - started });
    }
    print({
      domain: set.domain,
      summary: true,
      tasks: chosen.length,
      ...(exact ? { correct } : { note: 'predictions only: this domain is scored on the host' }),
      parentCorrect,
    });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
