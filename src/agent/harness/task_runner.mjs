/**
 * Runs tasks one at a time in a worker thread and enforces a per-task time limit: a task that
 * overruns (an infinite loop included) gets its worker terminated, and the next task starts a
 * fresh one. A worker that crashes is replaced the same way.
 */
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./task_worker.mjs', import.meta.url);

export class TaskRunner {
  /** options: { programDir, llmClientUrl, domain, describe, params, memoryMb? } */
  constructor(options) {
    this.options = options;
    this.worker = null;
    this.pending = null;
  }

  /** Resolves to { id, prediction?, trace?, error?, ms }; never rejects. */
  run(task, timeoutMs) {
    const id = task.id;
    return new Promise((resolve) => {
      const worker = this.ensureWorker();
      const started = Date.now();
      const timer = setTimeout(() => {
        this.settle({ id, error: `timed out after ${timeoutMs} ms`, ms: Date.now() - started });
        this.discardWorker();
      }, timeoutMs);
      this.pending = { id, resolve, timer, started };
      try {
        worker.postMessage({ id, input: task.input });
      } catch (e) {
        this.settle({ id, error: `input could not be sent to the worker: ${e?.message ?? e}`, ms: 0 });
      }
    });
  }

  async close() {
    await this.discardWorker();
  }

  ensureWorker() {
    if (this.worker) return this.worker;
    const { programDir, llmClientUrl, domain, describe, params, memoryMb } = this.options;
    const worker = new Worker(WORKER_URL, {
      workerData: { programDir, llmClientUrl, domain, describe, params },
      stdout: true,
      stderr: true,
      ...(memoryMb ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}),
    });
    // The program's output goes to our stderr, never into the protocol on stdout.
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    worker.on('message', (message) => {
      if (worker !== this.worker || !this.pending || message.id !== this.pending.id) return;
      const out = { id: message.id, ms: message.ms };
      if (message.error !== undefined) out.error = message.error;
      else {
        out.prediction = JSON.parse(message.prediction);
        out.trace = JSON.parse(message.trace);
      }
      this.settle(out);
    });
    const crashed = (why) => {
      if (worker !== this.worker) return;
      this.worker = null;
      if (this.pending)
        this.settle({ id: this.pending.id, error: why, ms: Date.now() - this.pending.started });
    };
    worker.on('error', (e) => crashed(`the task agent crashed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`));
    worker.on('exit', (code) => crashed(`the task agent's worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  settle(result) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  async discardWorker() {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
