/**
 * Batch runner. stdin: { domain, describe, params?, perTaskTimeoutMs, memoryMb?, tasks: [{ id, input }] }.
 * stdout: one JSON line per task, in order, { id, prediction, trace?, error?, ms }, then { done: true, count }.
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

const emit = protectStdout();
try {
  const request = await readStdinJson();
  if (typeof request?.domain !== 'string') throw new Error('stdin needs a string "domain"');
  if (!Array.isArray(request.tasks)) throw new Error('stdin needs an array "tasks"');
  const useLlm = (await availableLlmClient()) !== null;
  const runner = new TaskRunner({
    programDir: programDirFromArgv(),
    llmClientUrl: useLlm ? llmClientUrl() : null,
    domain: request.domain,
    describe: typeof request.describe === 'string' ? request.describe : '',
    params: request.params ?? {},
    memoryMb: request.memoryMb,
  });
  const timeoutMs = request.perTaskTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  for (const task of request.tasks) {
    await emit(await runner.run({ id: String(task?.id), input: task?.input }, timeoutMs));
  }
  await runner.close();
  await emit({ done: true, count: request.tasks.length });
  process.exit(0);
} catch (error) {
  await fail(emit, error);
}
