/**
 * The harness's stdin/stdout protocol (see harness.mjs). Requests carry calls only, never expected
 * values, so the harness can run in the sandbox while labels stay on the host.
 */
import { z } from 'zod';
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
  /** For the whole run: calls not started within it are reported as timeouts without running. */
  budgetMs: number;
}

export const DEFAULT_HARNESS_LIMITS: HarnessLimits = {
  timeoutMs: 3000,
  loadTimeoutMs: 5000,
  memoryMb: 256,
  budgetMs: 60_000,
};

export interface HarnessRequest extends HarnessLimits {
  moduleSource: string;
  calls: HarnessCall[];
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

/** The request for a module and the hidden cases of one task: ids are case uuids, no expected values. */
export function buildHarnessRequest(
  moduleSource: string,
  cases: readonly HiddenCase[],
  limits: HarnessLimits = DEFAULT_HARNESS_LIMITS,
): HarnessRequest {
  return { moduleSource, calls: cases.map((c) => ({ id: c.uuid, fn: c.fn, args: c.args })), ...limits };
}

/** Parses the harness's stdout; throws when it is not a well-formed response. */
export function parseHarnessResponse(stdout: string): HarnessResponse {
  const line = stdout.trim().split('\n').pop() ?? '';
  return harnessResponseSchema.parse(JSON.parse(line));
}
