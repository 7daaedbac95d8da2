/**
 * Validates a program: its modules load and export what the engine calls (task_agent.mjs solve,
 * meta_agent.mjs improve, select_parent.mjs selectParent if the file exists), and one smoke task
 * runs within a time limit. stdin: { nonce, domain, describe, task?: { id, input }, timeoutMs?, loadTimeoutMs? }.
 * stdout: { nonce, ok, reasons: string[], smoke? }. Exit code 0 whenever a verdict was written.
 * Program code runs only in worker threads, never in this one, so it cannot read the nonce from
 * stdin (consumed here first) or from this thread's variables.
 */
import { Worker } from 'node:worker_threads';
// Every harness script takes its protocol helpers from common.mjs, so their import lists look alike.
import {
  availableLlmClient,
  fail,
  llmClientUrl,
  programDirFromArgv,
  protectStdout,
  readStdinJson,
} from './common.mjs';
import { TaskRunner } from './task_runner.mjs';

const MODULES = [
  { file: 'task_agent.mjs', exportName: 'solve', optional: false },
  { file: 'meta_agent.mjs', exportName: 'improve', optional: false },
  { file: 'select_parent.mjs', exportName: 'selectParent', optional: true },
];

/** Reasons the program's modules are unusable ([] when all load and export functions). */
function checkModules(programDir, timeoutMs) {
  return new Promise((resolve) => {
    const reasons = [];
    let current;
    const worker = new Worker(new URL('./load_worker.mjs', import.meta.url), {
      workerData: { programDir, modules: MODULES },
      stdout: true,
      stderr: true,
    });
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    let finished = false;
    const finish = (extra) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (extra) reasons.push(extra);
      void worker.terminate();
      resolve(reasons);
    };
    const timer = setTimeout(
      () => finish(`${current ?? 'the program'} did not finish loading within ${timeoutMs} ms`),
      timeoutMs,
    );
    worker.on('message', (m) => {
      if (m.done) return finish();
      if (m.started) {
        current = m.file;
        return;
      }
      const spec = MODULES.find((s) => s.file === m.file);
      if (!m.present) {
        if (!m.optional) reasons.push(`${m.file} is missing`);
      } else if (!m.loaded) {
        reasons.push(`${m.file} does not load: ${m.error}`);
      } else if (m.exportType !== 'function') {
        reasons.push(`${m.file} does not export a function ${spec.exportName} (found ${m.exportType})`);
      }
    });
    worker.on('error', (e) => finish(`loading ${current ?? 'the program'} crashed: ${e?.message ?? e}`));
    worker.on('exit', () => finish(`loading ${current ?? 'the program'} ended the worker early`));
  });
}

const emit = protectStdout();
try {
  const request = await readStdinJson();
  const programDir = programDirFromArgv();
  const reasons = await checkModules(programDir, request.loadTimeoutMs ?? 20_000);
  let smoke;
  if (reasons.length === 0 && request.task) {
    const useLlm = (await availableLlmClient()) !== null;
    const runner = new TaskRunner({
      programDir,
      llmClientUrl: useLlm ? llmClientUrl() : null,
      domain: String(request.domain ?? ''),
      describe: typeof request.describe === 'string' ? request.describe : '',
      params: request.params ?? {},
    });
    const result = await runner.run(
      { id: String(request.task.id ?? 'smoke'), input: request.task.input },
      request.timeoutMs ?? 60_000,
    );
    await runner.close();
    smoke = {
      ms: result.ms,
      ...(result.error ? { error: result.error } : { prediction: result.prediction }),
    };
    if (result.error) reasons.push(`smoke task failed: ${result.error}`);
    else if (result.prediction === null) reasons.push('smoke task returned a null prediction');
  }
  await emit({
    nonce: String(request.nonce ?? ''),
    ok: reasons.length === 0,
    reasons,
    ...(smoke ? { smoke } : {}),
  });
  process.exit(0);
} catch (error) {
  await fail(emit, error);
}
