#!/usr/bin/env node
// Coding-domain harness: runs the solution modules of a batch of exercises, each on its own list of
// calls, and reports what each call did. Standalone (Node builtins only) so it can be copied into a
// sandbox and run with `node`: one session scores a whole batch.
//
//   node harness.mjs < request.json     (the request comes on stdin only: it is never a file that a
//                                         module could read)
//   request: {"nonce": "...",
//             "exercises": [{"id": "...", "moduleSource": "...", "calls": [{"id", "fn", "args": [...]}]}],
//             "timeoutMs"?: 3000, "loadTimeoutMs"?: 5000, "memoryMb"?: 256, "budgetMs"?: 60000}
//   stdout, per exercise in request order, each line preceded by a newline (so a module's partial
//   line cannot swallow it):
//     {"nonce", "start": "<exercise id>"}                         before any of its code runs
//     {"nonce", "id": "<exercise id>", "response": {"load": {"ok": true, "exports": [...]} |
//        {"ok": false, "kind", "error"}, "results": [{"id", "status", "value"?, "error"?, "ms"}],
//        "output": "<module's stdout/stderr tail>"}}                after it ended
//
// Limits apply per exercise: a call not started within budgetMs of the exercise's start is reported
// as a timeout without running. status: returned | threw | timeout | crashed | missing-export |
// unrepresentable | not-loaded. The harness never sees expected values: labels stay on the host,
// which compares `value`s itself, and reads only lines carrying the nonce it gave (a module may print
// anything; it does not know the nonce, short of scanning the process's memory: docs/security.md).
//
// Exercises run one after another. An exercise's module is written to a fresh temp folder just
// before it runs and removed after, so no other exercise's module or calls are on disk while it
// runs (the calls stay in this thread's memory). It runs in a worker thread, one worker reused
// across its calls. A worker (not the main thread) because a synchronous infinite loop can only be
// stopped from outside: on a per-call timeout the main thread terminates the worker and starts a
// fresh one for the remaining calls. A worker rather than a child process per call because a fresh
// process costs ~40 ms per call; the worker also gets a heap limit so a memory bomb kills only it.
// The worker's code is this file's `workerMain`, passed as a string (not this file, which a module
// could rewrite for the exercises after it). The next worker is started, with no module, while an
// exercise runs, so that its start-up (most of an exercise's cost) overlaps it; not during the last
// exercise, when no exercise would use it (a worker's start-up takes CPU, and a session has one CPU
// by default: an unused one only delays the end of the session). After an exercise,
// every process it left behind is killed: its descendants, and when the harness is the top process
// of its pid namespace (a sandbox session) every process started after it.
// What a worker cannot contain (process.kill of the whole process, a native crash, the session's
// output cap) ends the harness: the host then scores the exercise that had started and not ended as
// failed and runs the rest again in a new session.
import { Worker } from 'node:worker_threads';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const OUTPUT_TAIL_CHARS = 4000;
const MAX_VALUE_CHARS = 1_000_000;
/** The worker's source, fixed before any module runs. */
const WORKER_SOURCE = `(${workerMain.toString()})()`;
/** The next exercise's worker, started ahead (`blankWorker`). */
let spare = null;

await main();

// ---------------------------------------------------------------- main thread

async function main() {
  let request;
  try {
    request = parseRequest(await readStdin());
  } catch (e) {
    process.stderr.write(`harness: bad request: ${e.message}\n`);
    process.exit(2);
  }
  const emit = (line) =>
    new Promise((resolve) =>
      process.stdout.write(`\n${JSON.stringify({ nonce: request.nonce, ...line })}\n`, resolve),
    );
  // The working folder: the sandbox's /work, or the fresh temp folder the host runs it in.
  const base = process.cwd();
  for (const [k, exercise] of request.exercises.entries()) {
    const another = k < request.exercises.length - 1;
    await emit({ start: exercise.id });
    const dir = mkdtempSync(join(base, 'coding-harness-'));
    const modulePath = join(dir, 'solution.mjs');
    const output = { text: '' };
    let response;
    try {
      writeFileSync(modulePath, exercise.moduleSource);
      response = await runCalls(request, exercise.calls, modulePath, output, another);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      killLeftovers();
    }
    response.output = output.text;
    await emit({ id: exercise.id, response });
  }
  await spare?.w.terminate();
  process.exit(0);
}

function parseRequest(text) {
  const r = JSON.parse(text);
  if (typeof r !== 'object' || r === null) throw new Error('not an object');
  if (typeof r.nonce !== 'string' || r.nonce.length < 16) throw new Error('nonce must be a string');
  if (!Array.isArray(r.exercises)) throw new Error('exercises must be an array');
  for (const x of r.exercises) {
    if (typeof x?.id !== 'string' || typeof x.moduleSource !== 'string' || !Array.isArray(x.calls)) {
      throw new Error('each exercise needs {id: string, moduleSource: string, calls: array}');
    }
    for (const c of x.calls) {
      if (typeof c?.id !== 'string' || typeof c.fn !== 'string' || !Array.isArray(c.args)) {
        throw new Error('each call needs {id: string, fn: string, args: array}');
      }
    }
  }
  return {
    nonce: r.nonce,
    exercises: r.exercises,
    timeoutMs: positive(r.timeoutMs, 3000),
    loadTimeoutMs: positive(r.loadTimeoutMs, 5000),
    memoryMb: positive(r.memoryMb, 256),
    budgetMs: positive(r.budgetMs, 60000),
  };
}

function positive(v, fallback) {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Kills what an exercise's module left running (a spawned or double-forked process) so that it
 * cannot outlive its exercise: SIGKILL until none is left. Its descendants; and when the harness has
 * no parent in its pid namespace (it is the session's process in a sandbox: bubblewrap's pid 1, a
 * `docker exec`), every process started after it, which catches a double fork reparented to the
 * namespace's init. Never more on a host, where others' processes start too. Zombies run nothing.
 */
function killLeftovers() {
  for (let round = 0; round < 50; round++) {
    const procs = readProcs();
    const me = procs.get(process.pid);
    if (me === undefined) return;
    const topOfNamespace = !procs.has(me.ppid);
    const ancestors = new Set();
    for (let p = me.ppid; p > 0 && !ancestors.has(p); p = procs.get(p)?.ppid ?? 0) ancestors.add(p);
    const descends = (pid) => {
      const seen = new Set();
      for (let p = procs.get(pid)?.ppid ?? 0; p > 0 && !seen.has(p); p = procs.get(p)?.ppid ?? 0) {
        if (p === process.pid) return true;
        seen.add(p);
      }
      return false;
    };
    const victims = [...procs].filter(
      ([pid, p]) =>
        pid !== process.pid &&
        pid !== 1 &&
        !ancestors.has(pid) &&
        p.state !== 'Z' &&
        (descends(pid) || (topOfNamespace && p.start >= me.start)),
    );
    if (victims.length === 0) return;
    for (const [pid] of victims) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already, or not ours
      }
    }
  }
}

/** pid → parent, start time (clock ticks since boot) and state, from /proc; empty where there is none. */
function readProcs() {
  const procs = new Map();
  let names = [];
  try {
    names = readdirSync('/proc').filter((n) => /^[0-9]+$/.test(n));
  } catch {
    return procs;
  }
  for (const n of names) {
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      // After the command name in parentheses (which may hold anything): state, ppid, ... starttime.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(n), { state: fields[0], ppid: Number(fields[1]), start: Number(fields[19]) });
    } catch {
      // exited meanwhile
    }
  }
  return procs;
}

/** `another`: an exercise follows this one (the spare worker is for it). */
async function runCalls(request, calls, modulePath, output, another) {
  const results = [];
  const started = Date.now();
  let worker = await startWorker(request, modulePath, output, another);
  const load = worker.load;
  for (const call of calls) {
    if (!worker.load.ok) {
      results.push({ id: call.id, status: 'not-loaded', error: worker.load.error, ms: 0 });
      continue;
    }
    // A module that is slow on every call must not hold the sandbox for calls × timeout.
    if (Date.now() - started > request.budgetMs) {
      results.push({
        id: call.id,
        status: 'timeout',
        error: 'time budget of the whole run exhausted',
        ms: 0,
      });
      continue;
    }
    const result = await worker.run(call, request.timeoutMs);
    results.push({ id: call.id, ...result });
    if (result.status === 'timeout' || result.status === 'crashed') {
      await worker.stop();
      worker = await startWorker(request, modulePath, output, another);
    }
  }
  await worker.stop();
  return { load, results };
}

/**
 * A worker with no module yet: started ahead (the `spare`), so that its start-up overlaps the
 * exercise before it. It loads a module only when its exercise's turn has come (`startWorker`).
 * Events that arrive before anyone waits (a worker that died while idle) are kept for the first wait.
 */
function blankWorker(request) {
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { maxValueChars: MAX_VALUE_CHARS },
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: request.memoryMb },
  });
  const state = { w, early: [], pending: null, sink: null };
  const onChunk = (chunk) => state.sink?.(chunk);
  w.stdout.on('data', onChunk);
  w.stderr.on('data', onChunk);
  const push = (event) => (state.pending !== null ? state.pending(event) : state.early.push(event));
  w.on('message', (m) => push({ kind: 'message', m }));
  w.on('error', (e) => push({ kind: 'error', e }));
  w.on('exit', (code) => push({ kind: 'exit', code }));
  return state;
}

/**
 * Starts a worker (the spare, if one is ready), waits for the module to load, and wraps it as
 * {load, run(call), stop()}. Starts the next spare when `another` exercise follows.
 */
async function startWorker(request, modulePath, output, another) {
  const state = spare ?? blankWorker(request);
  spare = another ? blankWorker(request) : null;
  const { w } = state;
  state.sink = (chunk) => {
    output.text = (output.text + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  const next = (timeoutMs) =>
    new Promise((resolve) => {
      if (state.early.length > 0) return resolve(state.early.shift());
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      const finish = (event) => {
        clearTimeout(timer);
        state.pending = null;
        resolve(event);
      };
      state.pending = finish;
    });

  w.postMessage({ moduleUrl: pathToFileURL(modulePath).href });
  const started = Date.now();
  const first = await next(request.loadTimeoutMs);
  let load;
  if (first.kind === 'message' && first.m.type === 'loaded') load = first.m.load;
  else load = { ok: false, ...describeFailure(first, 'load') };
  if (!load.ok) await w.terminate();
  load.ms = Date.now() - started;

  return {
    load,
    async run(call, timeoutMs) {
      const t0 = Date.now();
      w.postMessage(call);
      const event = await next(timeoutMs);
      const ms = Date.now() - t0;
      if (event.kind === 'message' && event.m.type === 'result') return { ...event.m.result, ms };
      const status = event.kind === 'timeout' ? 'timeout' : 'crashed';
      return { status, error: describeFailure(event).error, ms };
    },
    async stop() {
      await w.terminate();
    },
  };
}

function describeFailure(event, phase = 'call') {
  switch (event.kind) {
    case 'timeout':
      return { kind: 'timeout', error: `${phase} timed out` };
    case 'error':
      return {
        kind: 'crashed',
        error: `${event.e?.code ?? 'error'}: ${event.e?.message ?? String(event.e)}`,
      };
    case 'exit':
      return { kind: 'crashed', error: `worker exited with code ${event.code} during ${phase}` };
    default:
      return { kind: 'crashed', error: `unexpected message during ${phase}` };
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------- worker thread

/**
 * The worker: self-contained (it runs from its source text, with CommonJS `require`), since it is
 * started from a string rather than from this file.
 */
function workerMain() {
  const { parentPort, workerData } = require('node:worker_threads');
  const MAX_VALUE_CHARS = workerData.maxValueChars;
  // Captured before the module loads, so a module that patches these cannot forge results.
  const post = parentPort.postMessage.bind(parentPort);
  const onMessage = parentPort.on.bind(parentPort);
  // A sloppy module's stray async errors should not fail the calls still to come.
  process.on('unhandledRejection', () => {});
  process.on('uncaughtException', () => {});

  class Unrepresentable extends Error {}

  // The first message says which module to load (the worker may have been started ahead of it).
  // Until then, an empty import readies the module loader, which costs a first import ~10 ms.
  const ready = import('data:text/javascript,').catch(() => undefined);
  parentPort.once('message', ({ moduleUrl }) =>
    ready.then(() =>
      import(moduleUrl).then(
        (mod) => {
          post({ type: 'loaded', load: { ok: true, exports: exportNames(mod) } });
          onMessage('message', async (call) => {
            post({ type: 'result', result: await invoke(mod, call) });
          });
        },
        (e) => post({ type: 'loaded', load: { ok: false, kind: 'threw', error: errorMessage(e) } }),
      ),
    ),
  );

  function exportNames(mod) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    const d = mod.default;
    if (d !== null && (typeof d === 'object' || typeof d === 'function')) {
      for (const k of Object.keys(d)) if (!names.includes(k)) names.push(k);
    }
    return names.sort();
  }

  /** Named export first; a default-exported object of functions is accepted too. */
  function lookup(mod, name) {
    if (typeof mod[name] === 'function') return mod[name];
    const d = mod.default;
    if (d !== null && (typeof d === 'object' || typeof d === 'function') && typeof d[name] === 'function') {
      return d[name];
    }
    return null;
  }

  async function invoke(mod, call) {
    const fn = lookup(mod, call.fn);
    if (fn === null) return { status: 'missing-export', error: `no exported function ${call.fn}` };
    let value;
    try {
      value = await fn(...call.args);
    } catch (e) {
      return { status: 'threw', error: errorMessage(e) };
    }
    try {
      const plain = toPlain(value, new Set(), 0);
      if (JSON.stringify(plain ?? null).length > MAX_VALUE_CHARS)
        throw new Unrepresentable('value too large');
      return { status: 'returned', value: plain };
    } catch (e) {
      if (e instanceof Unrepresentable) return { status: 'unrepresentable', error: e.message };
      return { status: 'threw', error: `while reading the returned value: ${errorMessage(e)}` };
    }
  }

  function errorMessage(e) {
    try {
      if (e instanceof Error || (typeof e === 'object' && e !== null && typeof e.message === 'string')) {
        return String(e.message);
      }
      return String(e);
    } catch {
      return 'unprintable error';
    }
  }

  /**
   * The returned value as plain JSON, by JSON.stringify's rules (toJSON honoured, undefined/function
   * properties of objects dropped), except that silent losses are refused: undefined, functions and
   * symbols as values or array items, NaN/Infinity, Map, Set and cycles are unrepresentable. BigInt
   * becomes a Number (the expected values are JSON numbers, parsed as doubles).
   */
  function toPlain(v, seen, depth) {
    if (depth > 200) throw new Unrepresentable('value nested too deeply');
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (!Number.isFinite(v)) throw new Unrepresentable(`non-finite number ${v}`);
        return v;
      case 'bigint':
        return Number(v);
      case 'undefined':
      case 'function':
      case 'symbol':
        throw new Unrepresentable(`${typeof v} is not a JSON value`);
    }
    if (v === null) return null;
    if (typeof v.toJSON === 'function') return toPlain(v.toJSON(), seen, depth + 1);
    if (v instanceof Map || v instanceof Set)
      throw new Unrepresentable(`${v.constructor.name} is not a JSON value`);
    if (seen.has(v)) throw new Unrepresentable('cyclic value');
    seen.add(v);
    let out;
    if (Array.isArray(v)) {
      out = [];
      for (let i = 0; i < v.length; i++) out.push(toPlain(v[i], seen, depth + 1));
    } else {
      out = {};
      for (const k of Object.keys(v)) {
        const item = v[k];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        out[k] = toPlain(item, seen, depth + 1);
      }
    }
    seen.delete(v);
    return out;
  }
}
