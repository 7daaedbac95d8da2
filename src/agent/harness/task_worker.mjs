/**
 * Runs inside a worker_thread: imports the program's task agent once, then answers
 * { id, input } messages with { id, prediction, trace, ms } or { id, error, ms }. Living in a
 * worker lets the runner terminate a task that never returns.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

// The worker's stdout is not the protocol, but keep console output off it anyway (it is piped to stderr).
for (const level of ['log', 'info', 'debug']) console[level] = console.error;

const { programDir, llmClientUrl, domain, describe, params } = workerData;
const MAX_TRACE_CHARS = 4000;

const loading = (async () => {
  const llm = llmClientUrl ? await import(llmClientUrl) : null;
  const agent = await import(pathToFileURL(path.join(programDir, 'task_agent.mjs')).href);
  if (typeof agent.solve !== 'function') throw new Error('task_agent.mjs does not export a function solve');
  return { agent, llm };
})();
loading.catch(() => {}); // reported with each task instead

const describeError = (e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function traceJson(trace) {
  try {
    const text = JSON.stringify(trace ?? null);
    return text.length > MAX_TRACE_CHARS
      ? JSON.stringify({ truncated: text.slice(0, MAX_TRACE_CHARS) })
      : text;
  } catch {
    return JSON.stringify({ unserialisable: true });
  }
}

parentPort.on('message', async ({ id, input }) => {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let loaded;
  try {
    loaded = await loading;
  } catch (e) {
    parentPort.postMessage({ id, error: `task_agent.mjs does not load: ${describeError(e)}`, ms: ms() });
    return;
  }
  try {
    const ctx = { domain, describe, llm: loaded.llm, memoryDir: path.join(programDir, 'memory'), params };
    const out = await loaded.agent.solve(input, ctx);
    const prediction = JSON.stringify(out?.prediction);
    if (prediction === undefined) {
      parentPort.postMessage({ id, error: 'solve returned no prediction', ms: ms() });
      return;
    }
    parentPort.postMessage({ id, prediction, trace: traceJson(out?.trace), ms: ms() });
  } catch (e) {
    parentPort.postMessage({ id, error: `solve threw: ${describeError(e)}`, ms: ms() });
  }
});
