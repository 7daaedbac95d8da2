import { z } from 'zod';
import type { Split } from '../domains/contract';

/**
 * One archive node: everything the engine knows about a child after a generation. Types only plus
 * their schema (no I/O), so workflows may import them.
 */

export interface SplitScore {
  readonly score: number;
  /** 'full': the whole split was evaluated; 'staged-scaled': staged score × evaluated / total. */
  readonly basis: 'full' | 'staged-scaled';
  readonly evaluated: number;
  readonly total: number;
  /** The per-task report, `runs/<runId>/reports/<nodeId>/<domain>-<split>.json`. */
  readonly reportKey?: string;
  /** How the task agent's answers were made (absent in records written before it was counted). */
  readonly answers?: AnswerCounts;
  /**
   * Why this evaluation does not count: the LLM gateway refused or failed calls while it ran, so
   * some answers are not the model's. The node is never ranked on it.
   */
  readonly incomplete?: string;
}

/**
 * Answers by how they were made: `model` (the task agent says the LLM answered), `fallback` (an LLM
 * was there but the agent answered without it), `offline` (no LLM configured), `failed` (no answer:
 * crash, time-out, error). The first three are the agent's own account in its trace.
 */
export interface AnswerCounts {
  readonly model: number;
  readonly fallback: number;
  readonly offline: number;
  readonly failed: number;
}

/** A node's scores by domain and split. */
export type NodeScores = Readonly<Record<string, Partial<Record<Split, SplitScore>>>>;

/** How a node was made; `unknown`: its meta agent crashed before saying, having made no LLM call. */
export type Strategy = 'llm' | 'offline' | 'seed' | 'unknown';
/** How the self-modification step that made this node ended (it ran the parent's meta agent). */
export type MetaOutcome = 'ok' | 'timeout' | 'crashed' | 'oom' | 'policy' | 'invalid';

export interface Approval {
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly note?: string;
  /** Who decided (the reviewer's name as the CLI or the console sent it). */
  readonly by?: string;
  readonly at?: string;
}

export interface NodeRecord {
  readonly runId: string;
  /** `gen-00042`: derived from the generation, so a retried write lands on the same key. */
  readonly nodeId: string;
  readonly parentId: string | null;
  readonly generation: number;
  /** ISO time. Ignored when comparing a rewrite with the stored record (a retry recomputes it). */
  readonly createdAt: string;
  /** `blobs/sha256/<hex>` of the program's canonical JSON (protected paths already restored). */
  readonly snapshotKey: string;
  /** `blobs/sha256/<hex>` of the unified diff against the parent; absent when the patch is empty. */
  readonly patchKey?: string;
  readonly patchEmpty: boolean;
  readonly changedPaths: readonly string[];
  readonly metaChanged: boolean;
  readonly strategy: Strategy;
  readonly metaOutcome: MetaOutcome;
  readonly validation: { readonly passed: boolean; readonly reasons: readonly string[] };
  readonly revertedPaths: readonly string[];
  readonly scores: NodeScores;
  readonly costUsd: number;
  readonly tokens: number;
  readonly approval?: Approval;
  /** The budget refused LLM calls of the self-modification that made this node: the refusal. */
  readonly budgetRefusal?: string;
  /** Set once this node's meta agent crashed or timed out as a parent: never selected again. */
  readonly barred?: boolean;
  readonly barredReason?: string;
}

const splitScore = z
  .object({
    score: z.number().finite(),
    basis: z.enum(['full', 'staged-scaled']),
    evaluated: z.number().int().min(0),
    total: z.number().int().min(0),
    reportKey: z.string().min(1).optional(),
    answers: z
      .object({
        model: z.number().int().min(0),
        fallback: z.number().int().min(0),
        offline: z.number().int().min(0),
        failed: z.number().int().min(0),
      })
      .strict()
      .optional(),
    incomplete: z.string().optional(),
  })
  .strict();

const domainScores = z
  .object({ train: splitScore.optional(), val: splitScore.optional(), test: splitScore.optional() })
  .strict();

export const nodeRecordSchema = z
  .object({
    runId: z.string().min(1),
    nodeId: z.string().min(1),
    parentId: z.string().min(1).nullable(),
    generation: z.number().int().min(0),
    createdAt: z.string().min(1),
    snapshotKey: z.string().min(1),
    patchKey: z.string().min(1).optional(),
    patchEmpty: z.boolean(),
    changedPaths: z.array(z.string()),
    metaChanged: z.boolean(),
    strategy: z.enum(['llm', 'offline', 'seed', 'unknown']),
    metaOutcome: z.enum(['ok', 'timeout', 'crashed', 'oom', 'policy', 'invalid']),
    validation: z.object({ passed: z.boolean(), reasons: z.array(z.string()) }).strict(),
    revertedPaths: z.array(z.string()),
    scores: z.record(z.string(), domainScores),
    costUsd: z.number().finite().min(0),
    tokens: z.number().int().min(0),
    approval: z
      .object({
        status: z.enum(['pending', 'approved', 'rejected']),
        note: z.string().optional(),
        by: z.string().optional(),
        at: z.string().optional(),
      })
      .strict()
      .optional(),
    budgetRefusal: z.string().optional(),
    barred: z.boolean().optional(),
    barredReason: z.string().optional(),
  })
  .strict();

// Compile-time check that the schema and the interface agree both ways.
type Parsed = z.infer<typeof nodeRecordSchema>;
const _schemaMatches: (r: Parsed) => NodeRecord = (r) => r;
const _interfaceMatches: (r: NodeRecord) => Parsed = (r) => ({
  ...r,
  changedPaths: [...r.changedPaths],
  revertedPaths: [...r.revertedPaths],
  validation: { ...r.validation, reasons: [...r.validation.reasons] },
});
void _schemaMatches;
void _interfaceMatches;

/** A stored record is malformed or fails the schema; the message names the key and the field. */
export class NodeRecordError extends Error {
  override name = 'NodeRecordError';
}

export function parseNodeRecord(value: unknown, where: string): NodeRecord {
  const r = nodeRecordSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : '(record)';
    throw new NodeRecordError(`${where}: bad node record at ${at}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}
