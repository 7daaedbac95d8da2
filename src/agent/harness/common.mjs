/**
 * What every harness script shares: the stdin/stdout JSON protocol (kept clean of the program's own
 * console output), where the program and the LLM client are, and error reporting.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const HARNESS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const LLM_SOCKET_ENV = 'HYPERAGENTS_LLM_SOCKET';

/** The program folder: argv[2], else `../program` next to the harness (the sandbox layout). */
export function programDirFromArgv(argv = process.argv) {
  return path.resolve(argv[2] ?? path.join(HARNESS_DIR, '..', 'program'));
}

export function programModuleUrl(programDir, file) {
  return pathToFileURL(path.join(programDir, file)).href;
}

/**
 * Takes stdout for the protocol and sends everything else written there (console.log of the
 * program, a stray process.stdout.write) to stderr. Call before importing any program module.
 * Returns emit(object): one JSON line on the real stdout, resolved once written.
 */
export function protectStdout() {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  for (const level of ['log', 'info', 'debug']) console[level] = console.error;
  return (value) => new Promise((resolve) => write(`${JSON.stringify(value)}\n`, () => resolve()));
}

export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`stdin is not one JSON object (${text.length} bytes read)`);
  }
}

export function messageOf(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** URL of the agent-side LLM client: `llm.mjs` next to the harness (sandbox), else the source tree's copy. */
export function llmClientUrl() {
  const candidates = [
    path.join(HARNESS_DIR, 'llm.mjs'),
    path.join(HARNESS_DIR, '..', '..', 'llm', 'agent-client.mjs'),
  ];
  const found = candidates.find((p) => existsSync(p));
  return found ? pathToFileURL(found).href : null;
}

/** The LLM client when a gateway with an endpoint is reachable, else null (the program then works offline). */
export async function availableLlmClient() {
  if (!process.env[LLM_SOCKET_ENV]) return null;
  const url = llmClientUrl();
  if (!url) return null;
  const client = await import(url);
  return (await client.isAvailable({ timeoutMs: 10_000 })) ? client : null;
}

/** Writes the failure as the script's answer and exits non-zero. */
export async function fail(emit, error) {
  await emit({ error: messageOf(error) });
  process.exit(1);
}
