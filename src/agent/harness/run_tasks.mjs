/**
 * Batch runner. stdin: { domain, describe, params?, perTaskTimeoutMs, memoryMb?, concurrency?, tasks: [{ id, input }] }.
 * stdout: one JSON line per task as it finishes (any order; the host matches by id)
 * { id, prediction, trace?, error?, ms }, then { done: true, count }.
 * argv[2]: the program folder (default ../program). ctx.llm is the client when a gateway is reachable.
 */
import {
  availableLlmClient,
  fail,
  llmClientUrl,
  programDirFromArgv,
  protectStdout,
  readStdinJson,
} from './common.mjs';
import { TaskRunner } from './task_runner.mjs';

const DEFAULT_TIMEOUT_MS = 60_000;
/** More workers than this only adds memory: LLM-bound tasks wait on the gateway, not the CPU. */
const MAX_CONCURRENCY = 64;

const emit = protectStdout();
try {
  const request = await readStdinJson();
  if (typeof request?.domain !== 'string') throw new Error('stdin needs a string "domain"');
  if (!Array.isArray(request.tasks)) throw new Error('stdin needs an array "tasks"');
  const useLlm = (await availableLlmClient()) !== null;
  const options = {
    programDir: programDirFromArgv(),
    llmClientUrl: useLlm ? llmClientUrl() : null,
    domain: request.domain,
    describe: typeof request.describe === 'string' ? request.describe : '',
    params: request.params ?? {},
    memoryMb: request.memoryMb,
  };
  const timeoutMs = request.perTaskTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const wanted = Number.isInteger(request.concurrency) ? request.concurrency : 1;
  const width = Math.max(1, Math.min(wanted, MAX_CONCURRENCY, request.tasks.length));
  // A pool of runners (one worker thread each) pulling from one queue: an LLM-bound task waits
  // seconds on the model, so N at once finish a batch about N times sooner. Each keeps its own
  // per-task time limit.
  const queue = [...request.tasks];
  const lane = async () => {
    const runner = new TaskRunner(options);
    try {
      for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
        await emit(await runner.run({ id: String(task?.id), input: task?.input }, timeoutMs));
      }
    } finally {
      await runner.close();
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  await emit({ done: true, count: request.tasks.length });
  process.exit(0);
} catch (error) {
  await fail(emit, error);
}
