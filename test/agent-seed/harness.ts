/**
 * Test helpers: lay out a temp folder the way the sandbox does (program/, harness/, harness/llm.mjs)
 * and run a harness script on it as a child process, with JSON on stdin.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const SEED_DIR = path.join(PROJECT_ROOT, 'src', 'agent', 'seed');
export const HARNESS_SRC = path.join(PROJECT_ROOT, 'src', 'agent', 'harness');
export const AGENT_CLIENT = path.join(PROJECT_ROOT, 'src', 'llm', 'agent-client.mjs');

export interface Layout {
  root: string;
  programDir: string;
  harnessDir: string;
}

/** A fresh copy of the seed and the harness under a temp folder. */
export function makeLayout(prefix = 'agent-seed-'): Layout {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const programDir = path.join(root, 'program');
  const harnessDir = path.join(root, 'harness');
  fs.cpSync(SEED_DIR, programDir, { recursive: true });
  fs.cpSync(HARNESS_SRC, harnessDir, { recursive: true });
  fs.copyFileSync(AGENT_CLIENT, path.join(harnessDir, 'llm.mjs'));
  return { root, programDir, harnessDir };
}

export function removeLayout(layout: Layout): void {
  fs.rmSync(layout.root, { recursive: true, force: true });
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line (throws in the test if a line is not JSON: the protocol was corrupted). */
  lines: unknown[];
}

/** Runs harness/<script> on the layout's program; asynchronous, so a gateway in this process can answer. */
export function runScript(
  layout: Layout,
  script: string,
  input: unknown,
  env: Record<string, string> = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(layout.harnessDir, script), layout.programDir], {
      cwd: layout.root,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const lines = stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown);
        resolve({ code, stdout, stderr, lines });
      } catch {
        reject(new Error(`${script} wrote a non-JSON line on stdout:\n${stdout}\nstderr:\n${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}

export function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Whether the program in `layout` passes run_validate.mjs with one paper-review smoke task. */
export async function passesValidation(layout: Layout): Promise<unknown> {
  const verdict = await runScript(layout, 'run_validate.mjs', {
    nonce: 'test',
    domain: 'paper-review',
    describe: 'Return "accept" or "reject".',
    task: { id: 'p1', input: { title: 'A title', abstract: 'An abstract.' } },
    timeoutMs: 20_000,
  });
  return verdict.lines[0];
}
