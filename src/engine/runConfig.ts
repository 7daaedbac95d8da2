import { z } from 'zod';
import { METHOD_POLICIES, METHODS, METHODS_FIXING_SELECTION, SELECTION_RULES } from '../selection/policies';
import { APPROVAL_POLICIES, type RunConfig } from './types';

const positive = z.number().positive();
const lanes = z.number().int().min(1).max(64);

/** Tasks of a batch run at once when neither the run nor the domain says. */
export const DEFAULT_EVALUATION_CONCURRENCY = 4;
const sizes = z
  .object({ train: z.number().int().min(1), val: z.number().int().min(1), test: z.number().int().min(1) })
  .strict();

export const runConfigSchema = z
  .object({
    method: z.enum(METHODS).default('dgm-h'),
    selection: z.enum(SELECTION_RULES).optional(),
    domains: z.array(z.string().min(1)).min(1).default(['paper-review', 'math-grading']),
    seed: z.string().min(1).default('hyperagents'),
    budget: z
      .object({
        usd: positive.optional(),
        tokens: z.number().int().positive().optional(),
        generations: z.number().int().min(1).max(100_000).default(12),
        wallClockHours: positive.optional(),
      })
      .strict()
      .prefault({}),
    parallelism: z.number().int().min(1).max(64).default(1),
    approval: z.enum(APPROVAL_POLICIES).default('none'),
    continueAsNewEvery: z.number().int().min(1).default(25),
    splitSizes: sizes.optional(),
    domainSplitSizes: z.record(z.string(), sizes).optional(),
    stagedSampleSize: z.number().int().min(1).optional(),
    testAtEnd: z.boolean().default(true),
    start: z
      .object({ run: z.string().min(1), node: z.string().min(1), reset: z.enum(['task', 'meta']).optional() })
      .strict()
      .optional(),
    timeouts: z
      .object({
        metaAgentSec: positive.default(900),
        evaluationSec: positive.default(1800),
        perTaskSec: positive.default(60),
      })
      .strict()
      .prefault({}),
    evaluation: z
      .object({
        concurrency: z
          .object({ default: lanes.optional(), perDomain: z.record(z.string(), lanes).optional() })
          .strict()
          .prefault({}),
      })
      .strict()
      .optional(),
    llm: z
      .object({ maxTurns: z.number().int().min(1).default(30), replayRun: z.string().min(1).optional() })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((run, ctx) => {
    for (const name of Object.keys(run.evaluation?.concurrency.perDomain ?? {})) {
      if (!run.domains.includes(name))
        ctx.addIssue({
          code: 'custom',
          path: ['evaluation', 'concurrency', 'perDomain', name],
          message: `'${name}' is not one of the run's domains (${run.domains.join(', ')})`,
        });
    }
    const rule = METHOD_POLICIES[run.method];
    if (
      run.selection !== undefined &&
      run.selection !== rule &&
      METHODS_FIXING_SELECTION.includes(run.method)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['selection'],
        message: `method ${run.method} selects parents with ${rule}; selection '${run.selection}' contradicts it (drop selection, or use method dgm-h)`,
      });
    }
  });

export type RunConfigInput = z.input<typeof runConfigSchema>;

export class RunConfigError extends Error {
  override name = 'RunConfigError';
}

export function parseRunConfig(raw: unknown, origin = 'run'): RunConfig {
  const parsed = runConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new RunConfigError(
      parsed.error.issues.map((i) => `${[origin, ...i.path].join('.')}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/**
 * Tasks of one domain's batch run at once: the run's per-domain setting, else the run's default,
 * else the domain's own suggestion, else DEFAULT_EVALUATION_CONCURRENCY.
 */
export function evaluationConcurrency(
  config: Pick<RunConfig, 'evaluation'>,
  domain: { name: string; concurrency?: number },
): number {
  const set = config.evaluation?.concurrency;
  return (
    set?.perDomain?.[domain.name] ?? set?.default ?? domain.concurrency ?? DEFAULT_EVALUATION_CONCURRENCY
  );
}
