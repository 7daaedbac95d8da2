#!/usr/bin/env node
// Coding-domain harness: runs a solution module's functions on a list of calls and reports what each
// call did. Standalone (Node builtins only) so it can be copied into a sandbox and run with `node`.
//
//   node harness.mjs [request.json]     (the request is read from the file if given, else from stdin)
//   request: {"moduleSource": "...", "calls": [{"id": "...", "fn": "name", "args": [...]}],
//            "timeoutMs"?: 3000, "loadTimeoutMs"?: 5000, "memoryMb"?: 256, "budgetMs"?: 60000}
//   stdout: {"load": {"ok": true, "exports": [...]} | {"ok": false, "kind": "...", "error": "..."},
//            "results": [{"id", "status", "value"?, "error"?, "ms"}], "output": "<module's stdout/stderr tail>"}
//
// A call not started within budgetMs of the start is reported as a timeout without running.
// status: returned | threw | timeout | crashed | missing-export | unrepresentable | not-loaded.
// The harness never sees expected values: labels stay on the host, which compares `value`s itself.
//
// The module is ESM (written to a temp `.mjs` file) and runs in a worker thread, one worker reused
// across calls. A worker (not the main thread) because a synchronous infinite loop can only be
// stopped from outside: on a per-call timeout the main thread terminates the worker and starts a
// fresh one for the remaining calls. A worker rather than a child process per call because a fresh
// process costs ~40 ms per call; the worker also gets a heap limit so a memory bomb kills only it.
// What a worker cannot contain (process.kill of the whole process, native crashes) makes the harness
// exit without output, which the host runner scores as every call failed.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const OUTPUT_TAIL_CHARS = 4000;
const MAX_VALUE_CHARS = 1_000_000;

if (isMainThread) {
  await main();
} else {
  await runWorker();
}

// ---------------------------------------------------------------- main thread

async function main() {
  let request;
  try {
    const file = process.argv[2];
    request = parseRequest(file !== undefined ? readFileSync(file, 'utf8') : await readStdin());
  } catch (e) {
    process.stderr.write(`harness: bad request: ${e.message}\n`);
    process.exit(2);
  }
  // Next to a request file (the sandbox's writable working folder), else in the temp folder.
  const base = process.argv[2] !== undefined ? dirname(resolve(process.argv[2])) : tmpdir();
  const dir = mkdtempSync(join(base, 'coding-harness-'));
  const modulePath = join(dir, 'solution.mjs');
  writeFileSync(modulePath, request.moduleSource);
  const output = { text: '' };
  let response;
  try {
    response = await runCalls(request, modulePath, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  response.output = output.text;
  process.stdout.write(JSON.stringify(response) + '\n', () => process.exit(0));
}

function parseRequest(text) {
  const r = JSON.parse(text);
  if (typeof r !== 'object' || r === null) throw new Error('not an object');
  if (typeof r.moduleSource !== 'string') throw new Error('moduleSource must be a string');
  if (!Array.isArray(r.calls)) throw new Error('calls must be an array');
  for (const c of r.calls) {
    if (typeof c?.id !== 'string' || typeof c.fn !== 'string' || !Array.isArray(c.args)) {
      throw new Error('each call needs {id: string, fn: string, args: array}');
    }
  }
  return {
    moduleSource: r.moduleSource,
    calls: r.calls,
    timeoutMs: positive(r.timeoutMs, 3000),
    loadTimeoutMs: positive(r.loadTimeoutMs, 5000),
    memoryMb: positive(r.memoryMb, 256),
    budgetMs: positive(r.budgetMs, 60000),
  };
}

function positive(v, fallback) {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

async function runCalls(request, modulePath, output) {
  const results = [];
  const started = Date.now();
  let worker = await startWorker(request, modulePath, output);
  const load = worker.load;
  for (const call of request.calls) {
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
      worker = await startWorker(request, modulePath, output);
    }
  }
  await worker.stop();
  return { load, results };
}

/** Starts a worker, waits for the module to load, and wraps it as {load, run(call), stop()}. */
async function startWorker(request, modulePath, output) {
  const w = new Worker(new URL(import.meta.url), {
    workerData: { modulePath },
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: request.memoryMb },
  });
  const keepTail = (chunk) => {
    output.text = (output.text + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  w.stdout.on('data', keepTail);
  w.stderr.on('data', keepTail);
  let pending = null; // the one in-flight message waiter
  w.on('message', (m) => pending?.({ kind: 'message', m }));
  w.on('error', (e) => pending?.({ kind: 'error', e }));
  w.on('exit', (code) => pending?.({ kind: 'exit', code }));
  const next = (timeoutMs) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      const finish = (event) => {
        clearTimeout(timer);
        pending = null;
        resolve(event);
      };
      pending = finish;
    });

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

async function runWorker() {
  // Captured before the module loads, so a module that patches these cannot forge results.
  const post = parentPort.postMessage.bind(parentPort);
  const onMessage = parentPort.on.bind(parentPort);
  // A sloppy module's stray async errors should not fail the calls still to come.
  process.on('unhandledRejection', () => {});
  process.on('uncaughtException', () => {});

  let mod;
  try {
    mod = await import(pathToFileURL(workerData.modulePath).href);
  } catch (e) {
    post({ type: 'loaded', load: { ok: false, kind: 'threw', error: errorMessage(e) } });
    return;
  }
  post({ type: 'loaded', load: { ok: true, exports: exportNames(mod) } });

  onMessage('message', async (call) => {
    post({ type: 'result', result: await invoke(mod, call) });
  });
}

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
    if (JSON.stringify(plain ?? null).length > MAX_VALUE_CHARS) throw new Unrepresentable('value too large');
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

class Unrepresentable extends Error {}

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
