/**
 * A hostile task agent and the host-side search for labels in what it found.
 *
 * The agent, on its first task, walks the whole sandbox filesystem (skipping /proc, /sys and /dev,
 * whose files block or never end, but reading every process's cmdline and environ) and reads every
 * readable file: text files whole, binary files as their printable runs. On every task it adds its
 * input, its context, its worker data and its environment. All of it goes to /work/found, which
 * the test copies out (stdout is capped far below the size of the node binary's strings).
 */
import { agentView, type Task } from '../../../src/domains';

export const HOSTILE_TASK_AGENT = String.raw`
import fs from 'node:fs';
import path from 'node:path';
import { workerData } from 'node:worker_threads';

const OUT = '/work/found';
const SKIP = new Set(['/proc', '/sys', '/dev', OUT]);
let walked = false;

function record(name, text) {
  fs.mkdirSync(OUT, { recursive: true });
  fs.appendFileSync(path.join(OUT, name), text + '\n');
}

/** Printable ASCII runs of 6+ bytes, as strings(1) would show them. */
function printableRuns(buf) {
  const runs = [];
  let start = -1;
  for (let i = 0; i <= buf.length; i++) {
    const b = i < buf.length ? buf[i] : 0;
    const printable = (b >= 32 && b < 127) || b === 9;
    if (printable && start < 0) start = i;
    else if (!printable && start >= 0) {
      if (i - start >= 6) runs.push(buf.toString('latin1', start, i));
      start = -1;
    }
  }
  return runs.join('\n');
}

function readInto(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return;
  }
  const text = buf.includes(0) ? printableRuns(buf) : buf.toString('utf8');
  record('filesystem.txt', '=== ' + file + '\n' + text);
}

function walk(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (SKIP.has(p)) continue;
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) readInto(p);
  }
}

function walkProcesses() {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) && pid !== 'self') continue;
    for (const f of ['cmdline', 'environ']) readInto('/proc/' + pid + '/' + f);
  }
}

export async function solve(input, ctx) {
  if (!walked) {
    walked = true;
    walk('/');
    walkProcesses();
  }
  record('memory.txt', JSON.stringify({ input, ctx, workerData, env: process.env, argv: process.argv }));
  return { prediction: 'hostile', trace: {} };
}
`;

/** Task ids whose label shows up next to the id (the id within `window` characters of a label word). */
export function pairedLeaks(
  haystack: string,
  labelWords: ReadonlyMap<string, readonly string[]>,
  window = 500,
): string[] {
  const lower = haystack.toLowerCase();
  const leaked: string[] = [];
  for (const [id, words] of labelWords) {
    const needle = id.toLowerCase();
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
      const around = lower.slice(Math.max(0, at - window), at + needle.length + window);
      if (words.some((w) => around.includes(w.toLowerCase()))) {
        leaked.push(id);
        break;
      }
    }
  }
  return leaked;
}

/**
 * Strings of a label that cannot turn up by chance and that the agent was not shown anyway: at
 * least `minLength` characters, not a plain phrase of letters and spaces (error expectations such
 * as "divide by zero" are also messages inside the node binary), and absent from every agent view.
 */
export function distinctiveValues(candidates: readonly string[], visible: string, minLength = 12): string[] {
  return [...new Set(candidates)].filter(
    (v) => v.length >= minLength && !/^"?[a-z ]+"?$/i.test(v) && !visible.includes(v),
  );
}

/** Every string inside a JSON value (keys too), and the value's own JSON text. */
export function stringsOf(value: unknown): string[] {
  const out: string[] = [JSON.stringify(value) ?? ''];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        visit(x);
      }
  };
  visit(value);
  return out;
}

/** Everything an agent is allowed to see: the agent views of every split, and the domain text. */
export function visibleText(tasks: readonly Task[], describe: string): string {
  return [describe, ...tasks.flatMap((t) => stringsOf(agentView(t)))].join('\n');
}
