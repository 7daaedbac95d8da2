import { z } from 'zod';
import { WORK_KINDS, type WorkKind } from '../engine/types';

const port = z.number().int().min(1).max(65535);

/** One kind of work's task queue: its name (default from `temporal.taskQueue`) and a worker's concurrency for it. */
const workQueue = (concurrency: number) =>
  z
    .object({
      name: z.string().min(1).optional(),
      /** Tasks of this kind one worker process runs at once (for orchestration: workflow tasks and activities each). */
      concurrency: z.number().int().min(1).max(1000).default(concurrency),
    })
    .strict()
    .prefault({});

/** The default queue name of each kind: orchestration keeps `temporal.taskQueue` itself. */
const QUEUE_SUFFIX = { orchestration: '', meta: '-meta', evaluation: '-eval' } as const;
export function defaultQueueName(taskQueue: string, kind: WorkKind): string {
  return `${taskQueue}${QUEUE_SUFFIX[kind]}`;
}
const loopbackHost = z
  .string()
  .refine((h) => ['127.0.0.1', 'localhost', '::1'].includes(h), 'must be a loopback address');

/**
 * Encrypted histories: AES-256-GCM keys by id, the secrets from the environment or a file only; the
 * codec endpoint's bearer token likewise. Paths resolve from the config file's folder.
 */
const encryptionSchema = z
  .object({
    /** `id:base64key,...` or JSON `{id: base64key}`: from HYPERAGENTS_CODEC_KEYS only. */
    keys: z.string().min(1).optional(),
    /** A file holding the keys in the same form (a mounted secret); read at each connection. */
    keysFile: z.string().min(1).optional(),
    /** The key new payloads are encrypted with; needed when there are several keys. */
    currentKeyId: z.string().min(1).optional(),
    /** The token `hyperagents codec-server` requires: from HYPERAGENTS_CODEC_TOKEN only. */
    codecToken: z.string().min(1).optional(),
    /** A file holding that token. */
    codecTokenFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((e) => !(e.keys && e.keysFile), {
    message: 'set the keys one way: HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile, not both',
    path: ['keysFile'],
  })
  .refine((e) => !(e.codecToken && e.codecTokenFile), {
    message:
      'set the codec token one way: HYPERAGENTS_CODEC_TOKEN or temporal.encryption.codecTokenFile, not both',
    path: ['codecTokenFile'],
  });

/** The whole project's configuration; every key has a default, so an empty file is valid. */
export const configSchema = z
  .object({
    /** Where services keep their data, logs and PID files. Relative paths resolve from the project root. */
    stateDir: z.string().min(1).default('.hyperagents'),
    /** Downloaded tools (the Temporal CLI); kept apart from state so wiping state keeps them. */
    toolsDir: z.string().min(1).default('.hyperagents/tools'),
    /** Root of local dataset mirrors laid out as README "Domain data" shows (HYPERAGENTS_DATA_DIR). */
    dataDir: z.string().optional(),
    host: loopbackHost.default('127.0.0.1'),
    temporal: z
      .object({
        cliVersion: z.string().default('1.9.1'),
        port: port.default(7233),
        uiPort: port.default(8233),
        namespace: z.string().min(1).default('default'),
        /** The workflows' task queue, and the stem of the other kinds' queue names. */
        taskQueue: z.string().min(1).default('hyperagents'),
        /**
         * A task queue per kind of work (workflows/taskQueues.ts says which activity is which), so
         * that each kind can run on its own workers with its own concurrency. Names default to
         * `<taskQueue>`, `<taskQueue>-meta`, `<taskQueue>-eval`.
         */
        queues: z
          .object({ orchestration: workQueue(100), meta: workQueue(16), evaluation: workQueue(16) })
          .strict()
          .prefault({}),
        /**
         * A Temporal frontend this project does not run (a cluster, Temporal Cloud): clients and
         * workers use it, and `dev up` neither starts nor needs the embedded server. Unset: the
         * embedded server at host:port.
         */
        address: z.string().min(1).optional(),
        /**
         * TLS to the frontend: `true` (the system's CAs), or the files of a private CA, a client
         * certificate and key (mTLS) and the name to check the server's certificate against. Unset:
         * TLS only when an API key is given. Paths resolve from the config file's folder.
         */
        tls: z
          .union([
            z.boolean(),
            z
              .object({
                caFile: z.string().min(1).optional(),
                certFile: z.string().min(1).optional(),
                keyFile: z.string().min(1).optional(),
                serverName: z.string().min(1).optional(),
              })
              .strict()
              .refine((t) => !t.certFile === !t.keyFile, 'certFile and keyFile go together (mTLS)'),
          ])
          .optional(),
        /** The Web UI's address for the links the CLI prints; default: the embedded UI, none for an external frontend. */
        uiUrl: z.string().url().optional(),
        /** API key (Temporal Cloud), sent as a bearer token: from HYPERAGENTS_TEMPORAL_API_KEY only. */
        apiKey: z.string().min(1).optional(),
        /** A file holding the API key (a mounted secret); read at each connection. */
        apiKeyFile: z.string().min(1).optional(),
        /** Encrypted histories (temporal/codec.ts); unset: payloads in clear (the default). */
        encryption: encryptionSchema.optional(),
      })
      .strict()
      .refine((t) => !(t.apiKey && t.apiKeyFile), {
        message: 'set the API key one way: HYPERAGENTS_TEMPORAL_API_KEY or temporal.apiKeyFile, not both',
        path: ['apiKeyFile'],
      })
      .transform((t) => ({
        ...t,
        queues: Object.fromEntries(
          WORK_KINDS.map((kind) => [
            kind,
            { ...t.queues[kind], name: t.queues[kind].name ?? defaultQueueName(t.taskQueue, kind) },
          ]),
        ) as Record<(typeof WORK_KINDS)[number], { name: string; concurrency: number }>,
      }))
      .refine((t) => new Set(WORK_KINDS.map((k) => t.queues[k].name)).size === WORK_KINDS.length, {
        message: 'each kind of work needs its own task queue name',
        path: ['queues'],
      })
      .prefault({}),
    s3: z
      .object({
        /**
         * true: the embedded S3 server (`dev up` starts it; its fixed keys unless keys are given).
         * false: an S3 service this project does not run: `s3.endpoint` (MinIO, a VPC endpoint) or,
         * without one, AWS S3 for `s3.region`; keys if given, else the AWS default credential chain.
         */
        embedded: z.boolean().default(true),
        port: port.default(4568),
        /** Endpoint clients use; defaults to the embedded server (embedded) or AWS S3 (not embedded). */
        endpoint: z.string().url().optional(),
        /** Not embedded and unset: AWS_REGION, else AWS_DEFAULT_REGION (config/load.ts), else this. */
        region: z.string().min(1).default('us-east-1'),
        bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
          .default('hyperagents'),
        /** Path-style URLs (endpoint/bucket/key); default: on, except for AWS S3's own endpoint. */
        forcePathStyle: z.boolean().optional(),
        /** Static keys: the secret from HYPERAGENTS_S3_SECRET_ACCESS_KEY only, never the config file. */
        accessKeyId: z.string().min(1).optional(),
        secretAccessKey: z.string().min(1).optional(),
        /** Server-side encryption asked for on every object written. */
        serverSideEncryption: z.enum(['AES256', 'aws:kms']).optional(),
        /** The KMS key (id, alias or ARN) for aws:kms; unset: the bucket's or AWS's default key. */
        kmsKeyId: z.string().min(1).optional(),
      })
      .strict()
      .refine((s) => !s.accessKeyId === !s.secretAccessKey, {
        message:
          'accessKeyId and secretAccessKey go together (HYPERAGENTS_S3_ACCESS_KEY_ID and HYPERAGENTS_S3_SECRET_ACCESS_KEY); set neither to use the AWS default credential chain',
        path: ['secretAccessKey'],
      })
      .refine((s) => !s.kmsKeyId || s.serverSideEncryption === 'aws:kms', {
        message: 'kmsKeyId needs serverSideEncryption "aws:kms"',
        path: ['kmsKeyId'],
      })
      .prefault({}),
    docker: z
      .object({
        /** auto: start dockerd when it can run, else fall back to bubblewrap. */
        mode: z.enum(['auto', 'on', 'off']).default('auto'),
      })
      .strict()
      .prefault({}),
    sandbox: z
      .object({
        backend: z.enum(['auto', 'docker', 'bubblewrap']).default('auto'),
        memoryMb: z.number().int().min(16).default(512),
        cpus: z.number().positive().max(64).default(1),
        pids: z.number().int().min(8).default(128),
        timeoutSec: z.number().positive().default(600),
        scratchMb: z.number().int().min(1).default(256),
        /**
         * bubblewrap only: where no cgroup can be created (not root), run with rlimits alone (no memory
         * or pids cgroup, /work an uncapped host folder checked only after the run). Off: such a host
         * refuses to run sessions. Root never falls back: a cgroup failure is an error.
         */
        allowRlimitFallback: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    llm: z
      .object({
        baseUrl: z.string().url().optional(),
        apiKey: z.string().optional(),
        metaModel: z.string().default('gpt-4o-mini'),
        taskModel: z.string().default('gpt-4o-mini'),
        /** Completion tokens a call may ask for; a call naming none gets exactly this, and the budget reserves it. */
        maxCompletionTokens: z.number().int().min(1).max(1_000_000).default(4096),
        /** Per attempt: an endpoint silent this long is cut, and the attempt counts as a retryable failure. */
        requestTimeoutSec: z.number().positive().max(3600).default(600),
        /** Retries of 429, 408, 5xx, dropped and timed-out attempts (src/llm/retry.ts); a 429's retry-after is honoured up to maxDelayMs. */
        retry: z
          .object({
            /** Attempts in all, the first included (1: no retry). */
            maxAttempts: z.number().int().min(1).max(20).default(4),
            baseDelayMs: z.number().int().min(0).default(500),
            maxDelayMs: z.number().int().min(0).default(20_000),
          })
          .strict()
          .prefault({}),
        /** USD per million tokens, per model name; a USD budget needs the price of every model used. */
        prices: z
          .record(
            z.string(),
            z.object({ inputUsdPerMTok: z.number().min(0), outputUsdPerMTok: z.number().min(0) }).strict(),
          )
          .default({}),
      })
      .strict()
      .prefault({}),
    /** User-defined domains: a module implementing src/domains/contract.ts, path relative to the config file. */
    domainModules: z
      .array(
        z
          .object({
            name: z.string().min(1),
            module: z.string().min(1),
            options: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * `hyperagents console`: its own bind address (any, unlike `host`: off loopback it needs a
     * token, and reads need it too), port, and the token every state-changing request carries
     * (from HYPERAGENTS_CONSOLE_TOKEN or tokenFile only; unset on loopback: a fresh one per start).
     */
    console: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8235),
        token: z.string().min(16, 'use at least 16 characters').optional(),
        tokenFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((c) => !(c.token && c.tokenFile), {
        message: 'set the console token one way: HYPERAGENTS_CONSOLE_TOKEN or console.tokenFile, not both',
        path: ['tokenFile'],
      })
      .refine((c) => ['127.0.0.1', 'localhost', '::1'].includes(c.host) || c.token || c.tokenFile, {
        message:
          'a console on a non-loopback address needs a token: set HYPERAGENTS_CONSOLE_TOKEN or console.tokenFile',
        path: ['host'],
      })
      .prefault({}),
    /** The evolution run's settings (src/engine/runConfig.ts); validated when a run starts. */
    run: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.llm.baseUrl) return;
    const usd = (c.run?.budget as { usd?: unknown } | undefined)?.usd;
    if (!(typeof usd === 'number' && usd > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['run', 'budget', 'usd'],
        message:
          'an LLM endpoint is configured (llm.baseUrl), so a USD budget cap is required: set run.budget.usd ' +
          '(it caps every run and each `hyperagents eval`)',
      });
      return;
    }
    const unpriced = [...new Set([c.llm.metaModel, c.llm.taskModel])].filter((m) => !c.llm.prices[m]);
    if (unpriced.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['llm', 'prices'],
        message: `no price for ${unpriced.join(', ')}: the USD budget cap (run.budget.usd) needs the price of every model used`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
