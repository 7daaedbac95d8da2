/**
 * The harness's stdin/stdout protocol (see harness.mjs). Requests carry calls only, never expected
 * values, so the harness can run in the sandbox while labels stay on the host.
 */
import { z } from 'zod';
import { jsonLines, nestingBeyond } from '../../util/jsonLines';
import type { HiddenCase } from './task';

export interface HarnessCall {
  id: string;
  fn: string;
  args: unknown[];
}

export interface HarnessLimits {
  /** Per call, including awaiting a returned Promise. */
  timeoutMs: number;
  /** For importing the module (top-level code). */
  loadTimeoutMs: number;
  /** Heap limit of the worker running the module. */
  memoryMb: number;
  /** For one exercise: its calls not started within it are reported as timeouts without running. */
  budgetMs: number;
}

export const DEFAULT_HARNESS_LIMITS: HarnessLimits = {
  timeoutMs: 3000,
  loadTimeoutMs: 5000,
  memoryMb: 256,
  budgetMs: 60_000,
};

/** One exercise of a batch: its module and the calls of its hidden cases (no expected values). */
export interface HarnessExercise {
  id: string;
  moduleSource: string;
  calls: HarnessCall[];
}

/** What the harness reads on stdin: the exercises of a batch, run one after another, and the limits of each. */
export interface HarnessRequest extends HarnessLimits {
  /** Marks the harness's own lines: a module does not know it, so it cannot print a result. */
  nonce: string;
  exercises: HarnessExercise[];
}

export const callStatuses = [
  'returned',
  'threw',
  'timeout',
  'crashed',
  'missing-export',
  'unrepresentable',
  'not-loaded',
] as const;
export type CallStatus = (typeof callStatuses)[number];

const callResultSchema = z.object({
  id: z.string(),
  status: z.enum(callStatuses),
  value: z.unknown().optional(),
  error: z.string().optional(),
  ms: z.number(),
});

export const harnessResponseSchema = z.object({
  load: z.object({
    ok: z.boolean(),
    kind: z.string().optional(),
    error: z.string().optional(),
    exports: z.array(z.string()).optional(),
    ms: z.number().optional(),
  }),
  results: z.array(callResultSchema),
  output: z.string().optional(),
});

export type CallResult = z.infer<typeof callResultSchema>;
export type HarnessResponse = z.infer<typeof harnessResponseSchema>;

/** The harness exercise for a module and the hidden cases of one task: ids are case uuids, no expected values. */
export function harnessExercise(
  id: string,
  moduleSource: string,
  cases: readonly HiddenCase[],
): HarnessExercise {
  return { id, moduleSource, calls: cases.map((c) => ({ id: c.uuid, fn: c.fn, args: c.args })) };
}

/** Nesting the harness's `toPlain` allows in a value (200), plus the levels of a response line around it. */
const RESPONSE_DEPTH = 210;

const startLine = z.object({ nonce: z.string(), start: z.string() });
const responseLine = z.object({ nonce: z.string(), id: z.string(), response: z.unknown() });

/** What one session of the harness said, read from its stdout. */
export interface HarnessLines {
  /** Exercise ids in the order the harness started them. */
  started: string[];
  /** Each exercise's response (or why it could not be read), when the harness gave one after starting it. */
  responses: Map<string, HarnessResponse | { failure: string }>;
}

/**
 * The harness's lines carrying `nonce` (anything else a module printed is ignored). An exercise's
 * response counts only when it follows its own start line and comes before the next exercise's:
 * lines an earlier exercise's module managed to print for it are not its response. A response that
 * is malformed or nested beyond what the harness produces is that exercise's failure.
 */
export function readHarnessLines(stdout: string, nonce: string): HarnessLines {
  const started: string[] = [];
  const responses = new Map<string, HarnessResponse | { failure: string }>();
  for (const line of jsonLines(stdout)) {
    if ((line as { nonce?: unknown }).nonce !== nonce) continue;
    const start = startLine.safeParse(line);
    if (start.success) {
      started.push(start.data.start);
      continue;
    }
    const r = responseLine.safeParse(line);
    const current = started[started.length - 1];
    if (!r.success || r.data.id !== current || responses.has(current)) continue;
    if (nestingBeyond(r.data.response, RESPONSE_DEPTH)) {
      responses.set(current, { failure: `harness response nested deeper than ${RESPONSE_DEPTH} levels` });
      continue;
    }
    const parsed = harnessResponseSchema.safeParse(r.data.response);
    responses.set(
      current,
      parsed.success
        ? parsed.data
        : { failure: `harness response malformed: ${parsed.error.issues[0]?.message}` },
    );
  }
  return { started, responses };
}
