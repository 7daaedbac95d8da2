import { StringDecoder } from 'string_decoder';
import { z } from 'zod';
import { jsonLines, nestingBeyond } from '../util/jsonLines';
import { LLM_SOCKET_ENV } from '../llm';
import {
  LLM_SOCKET_NAME,
  SANDBOX_ENV,
  SANDBOX_NODE,
  SOCKET_DIR,
  type Sandbox,
  type SandboxLimits,
  type SandboxResult,
} from '../sandbox';
import type { EditableSelectorInput } from '../selection';
import type {
  RunMetaRequest,
  RunMetaResponse,
  RunTasksRequest,
  RunValidateRequest,
  RunValidateResponse,
  TaskResultLine,
} from './harness';
import type { ProgramFiles } from './program';
import { sandboxFiles } from './layout';

/** What each harness script reads on stdin (the protocol of src/agent/harness/index.ts). */
interface HarnessInputs {
  'run_tasks.mjs': RunTasksRequest;
  'run_meta.mjs': RunMetaRequest;
  'run_select.mjs': EditableSelectorInput;
  'run_validate.mjs': RunValidateRequest;
}

/** A harness script run over a program in one sandbox session; the script speaks JSON on stdio. */
export interface HarnessRun<S extends keyof HarnessInputs> {
  sandbox: Sandbox;
  program: ProgramFiles;
  script: S;
  input: HarnessInputs[S];
  limits: SandboxLimits;
  /** Folder holding the LLM gateway socket; the program then sees HYPERAGENTS_LLM_SOCKET. */
  socketDir?: string;
  outputs?: string[];
  labels?: Record<string, string>;
  signal?: AbortSignal;
  onStdout?: (chunk: Buffer) => void;
}

export function runHarness<S extends keyof HarnessInputs>(run: HarnessRun<S>): Promise<SandboxResult> {
  const env: Record<string, string> = { ...SANDBOX_ENV };
  if (run.socketDir) env[LLM_SOCKET_ENV] = `${SOCKET_DIR}/${LLM_SOCKET_NAME}`;
  return run.sandbox.run({
    files: sandboxFiles(run.program),
    command: [SANDBOX_NODE, `harness/${run.script}`, 'program'],
    env,
    stdin: JSON.stringify(run.input),
    limits: run.limits,
    socketDir: run.socketDir,
    outputs: run.outputs,
    labels: run.labels,
    signal: run.signal,
    onStdout: run.onStdout,
  });
}

/*
 * Readers of the harness scripts' last stdout line. The line comes from a sandbox that also ran the
 * agent's code, so it is checked against the protocol's shape (src/agent/harness/index.ts), never cast.
 */

const metaResponse = z.union([
  z.object({ strategy: z.enum(['llm', 'offline']), summary: z.string(), turns: z.number() }),
  z.object({ error: z.string() }),
]);
const validateResponse = z.object({ nonce: z.string(), ok: z.boolean(), reasons: z.array(z.string()) });
const taskLine = z.object({
  id: z.string(),
  prediction: z.unknown().optional(),
  error: z.string().optional(),
  trace: z.unknown().optional(),
});

/** The last JSON object line, unchecked: for readers that validate it themselves (the editable selector). */
export function readLastLine(stdout: string): Record<string, unknown> | undefined {
  return jsonLines(stdout).at(-1);
}

function lastAs<T>(stdout: string, schema: z.ZodType<T>): T | undefined {
  const parsed = schema.safeParse(readLastLine(stdout));
  return parsed.success ? parsed.data : undefined;
}

/** run_meta.mjs's report, or undefined when the session printed none in the protocol's shape. */
export function readMetaReport(stdout: string): RunMetaResponse | undefined {
  return lastAs(stdout, metaResponse);
}

/**
 * run_validate.mjs's verdict: the one line carrying this session's nonce (given on stdin before any
 * program code ran, which runs only in worker threads), so a program printing a verdict of its own
 * (or a process it left behind printing one later) cannot pass for the harness. Undefined when no
 * line, or more than one, carries the nonce.
 */
export function readValidateVerdict(
  stdout: string,
  nonce: string,
): Pick<RunValidateResponse, 'ok' | 'reasons'> | undefined {
  const verdicts = jsonLines(stdout).filter((line) => line.nonce === nonce);
  if (verdicts.length !== 1) return undefined;
  const parsed = validateResponse.safeParse(verdicts[0]);
  return parsed.success ? { ok: parsed.data.ok, reasons: parsed.data.reasons } : undefined;
}

type TaskLine = Pick<TaskResultLine, 'id' | 'prediction' | 'error' | 'trace'>;

/**
 * Bounds on one task's answer as read from the sandbox. A prediction deeper or larger than these is
 * the agent's fault, scored as that task's error: a 200,000-level nesting would make every later
 * JSON.stringify (the evaluation report, the archive) throw a RangeError and fail the activity.
 */
export const ANSWER_LIMITS = {
  /** Nesting of objects and arrays in a prediction or trace. */
  depth: 100,
  /** A prediction's or trace's size as JSON, in UTF-16 code units (about bytes). */
  chars: 1024 * 1024,
  /** A task error's message is cut to this many characters. */
  errorChars: 2000,
} as const;

/** Why a value from the sandbox cannot be kept as an answer, or undefined when it can. */
function answerProblem(what: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (nestingBeyond(v, ANSWER_LIMITS.depth))
    return `${what} nested deeper than ${ANSWER_LIMITS.depth} levels`;
  const size = JSON.stringify(v).length;
  if (size > ANSWER_LIMITS.chars)
    return `${what} is ${size} characters as JSON; the limit is ${ANSWER_LIMITS.chars}`;
  return undefined;
}

/**
 * A task line within ANSWER_LIMITS: an over-deep or over-large prediction becomes the task's error
 * (the agent's fault, scored), an over-deep or over-large trace is replaced by a note, a long error
 * is cut. The one place task answers enter the host, so nothing downstream meets an unbounded value.
 */
function boundedTaskLine(line: TaskLine): TaskLine {
  const { id } = line;
  if (line.error !== undefined) {
    const error =
      line.error.length > ANSWER_LIMITS.errorChars
        ? `${line.error.slice(0, ANSWER_LIMITS.errorChars)}…`
        : line.error;
    return { id, error };
  }
  const problem = answerProblem('prediction', line.prediction);
  if (problem !== undefined) return { id, error: problem };
  const traceProblem = answerProblem('trace', line.trace);
  return {
    id,
    ...(line.prediction !== undefined ? { prediction: line.prediction } : {}),
    ...(line.trace !== undefined
      ? { trace: traceProblem === undefined ? line.trace : `[dropped: ${traceProblem}]` }
      : {}),
  };
}

/** run_tasks.mjs's per-task lines (answers and errors, within ANSWER_LIMITS), in order; other lines are ignored. */
export function readTaskLines(stdout: string): TaskLine[] {
  return jsonLines(stdout).flatMap((line) => {
    const parsed = taskLine.safeParse(line);
    return parsed.success ? [boundedTaskLine(parsed.data)] : [];
  });
}

/**
 * A stdout sink that hands each complete run_tasks.mjs task line to `onLine` as it arrives, so a
 * batch's answers can be kept before its session ends. Partial lines wait for their newline.
 */
export function taskLineStream(onLine: (line: TaskLine) => void): (chunk: Buffer) => void {
  const decoder = new StringDecoder('utf8'); // a character may straddle two chunks
  let pending = '';
  return (chunk) => {
    pending += decoder.write(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of readTaskLines(lines.join('\n'))) onLine(line);
  };
}
