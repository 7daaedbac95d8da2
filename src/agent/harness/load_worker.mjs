/**
 * Runs inside a worker_thread: imports the program's modules one by one and reports, per module,
 * whether it loaded and the type of each export the engine needs. Progress is posted as it goes,
 * so a module whose import never finishes can be named.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

for (const level of ['log', 'info', 'debug']) console[level] = console.error;

const { programDir, modules } = workerData;
for (const { file, exportName, optional } of modules) {
  const full = path.join(programDir, file);
  if (!existsSync(full)) {
    parentPort.postMessage({ file, present: false, optional });
    continue;
  }
  parentPort.postMessage({ file, started: true });
  try {
    const mod = await import(pathToFileURL(full).href);
    parentPort.postMessage({ file, present: true, loaded: true, exportType: typeof mod[exportName] });
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    parentPort.postMessage({ file, present: true, loaded: false, error });
  }
}
parentPort.postMessage({ done: true });
