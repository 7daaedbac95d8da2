/**
 * Encrypted histories (issue 12) on the suite's real Temporal server with a real worker: a small
 * run (one domain, one generation) started with key `a`, paused, its worker stopped and replaced by
 * one whose current key is `b` (`a` kept for decoding), then resumed to the end. The history read
 * without the key shows only `binary/encrypted` payloads and none of the run's values; with the key
 * (the client's codec, or the codec endpoint) it decodes to them; payloads from before the rotation
 * carry key id `a`, those after it `b`.
 */
import * as crypto from 'crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { loadConfig, type LoadedConfig } from '../../src/config';
import { parseRunConfig, type RunStatus } from '../../src/engine';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, payloadCodec } from '../../temporal/codec';
import { payloadToJson, startCodecServer } from '../../temporal/codecServer';
import { connectClient } from '../../temporal/connection';
import { createWorker, type RunningWorker } from '../../temporal/worker';
import { evolutionRun, generationId } from '../../workflows';
import { pauseSignal, resumeSignal, statusQuery } from '../../workflows/messages';

const keyA = crypto.randomBytes(32).toString('base64');
const keyB = crypto.randomBytes(32).toString('base64');
const stack = (env: Record<string, string> = {}): LoadedConfig =>
  loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '', ...env } });
const plainConfig = stack();
const configA = stack({ HYPERAGENTS_CODEC_KEYS: `a:${keyA}` });
const configB = stack({ HYPERAGENTS_CODEC_KEYS: `a:${keyA},b:${keyB}`, HYPERAGENTS_CODEC_KEY_ID: 'b' });

const SEED = `enc-seed-${crypto.randomUUID().slice(0, 8)}`;
const taskQueue = `enc-${crypto.randomUUID().slice(0, 8)}`;
const runId = `enc-${crypto.randomUUID().slice(0, 12)}`;

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

/**
 * Every payload of a history, with where it is: inputs, results, signals, updates, memos. Not
 * search attributes (visibility needs them in clear) nor the SDK's patch markers (a patch id), as
 * docs/deploy.md says.
 */
function payloadsOf(history: temporal.api.history.v1.IHistory): Array<{ at: string; payload: Payload }> {
  const out: Array<{ at: string; payload: Payload }> = [];
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    const o = node as Record<string, unknown>;
    if (o.data instanceof Uint8Array && typeof o.metadata === 'object' && o.metadata !== null) {
      out.push({ at, payload: o });
      return;
    }
    for (const [k, v] of Object.entries(o))
      if (k !== 'searchAttributes' && k !== 'patch-data') walk(v, `${at}.${k}`);
  };
  (history.events ?? []).forEach((e, i) => walk(e, `event ${i + 1}`));
  return out;
}

async function start(config: LoadedConfig): Promise<{ running: RunningWorker; work: Promise<void> }> {
  const running = await createWorker(config, taskQueue);
  return { running, work: running.worker.run() };
}

async function stop(w: { running: RunningWorker; work: Promise<void> }): Promise<void> {
  w.running.worker.shutdown();
  await w.work;
  await w.running.close();
}

async function waitFor(handle: WorkflowHandle, ok: (s: RunStatus) => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const s = await handle.query(statusQuery).catch(() => undefined);
    if (s && ok(s)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the run did not pause after its start node');
}

let clientA: Client;
let clientB: Client;
let plain: Client;
beforeAll(async () => {
  clientA = await connectClient(configA);
  clientB = await connectClient(configB);
  plain = await connectClient(plainConfig);
});
afterAll(async () => {
  await Promise.all([clientA, clientB, plain].map((c) => c?.connection.close()));
});

test('a run started under key a completes after the rotation to b; without the key its history is ciphertext, with it the values', async () => {
  const config = parseRunConfig({
    domains: ['paper-review'],
    domainSplitSizes: { 'paper-review': { train: 6, val: 6, test: 6 } },
    stagedSampleSize: 3,
    seed: SEED,
    budget: { generations: 1 },
    testAtEnd: false,
  });
  const first = await start(configA);
  const handle = await clientA.workflow.start(evolutionRun, {
    workflowId: runId,
    taskQueue,
    args: [{ runId, config }],
  });
  await handle.signal(pauseSignal);
  await waitFor(handle, (s) => s.startNodeId !== undefined && s.running.length === 0);
  await stop(first);

  // Key rotation: a new worker and client whose current key is b, a kept to decode the run so far.
  const second = await start(configB);
  let final: RunStatus;
  try {
    await clientB.workflow.getHandle(runId).signal(resumeSignal);
    final = await clientB.workflow.getHandle<typeof evolutionRun>(runId).result();
  } finally {
    await stop(second);
  }
  expect(final.generationsDone).toBe(1);
  expect(final.runId).toBe(runId);

  // Without the key: every payload is binary/encrypted, and the raw histories (the run's and its
  // generation's) hold none of the values.
  const histories = [
    await plain.workflow.getHandle(runId).fetchHistory(),
    await plain.workflow.getHandle(generationId(runId, 1)).fetchHistory(),
  ];
  const found = histories.map(payloadsOf);
  for (const list of found) expect(list.length).toBeGreaterThan(3);
  const clear = found.flat().filter(({ payload }) => text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING);
  expect(clear.map((x) => x.at)).toEqual([]);
  for (const history of histories) {
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    for (const value of [SEED, 'stagedSampleSize', '"scores"', '"perDomain"', 'task_agent.mjs'])
      expect([value, raw.includes(Buffer.from(value))]).toEqual([value, false]);
  }
  await expect(plain.workflow.getHandle(runId).result()).rejects.toThrow();

  // Key ids: a before the rotation, b after it.
  const payloads = found[0]!.map((x) => x.payload);
  const ids = payloads.map((p) => text(p.metadata?.[KEY_ID_METADATA]));
  expect(ids[0]).toBe('a');
  expect(ids[ids.length - 1]).toBe('b');
  expect(new Set(ids)).toEqual(new Set(['a', 'b']));
  expect(new Set(found[1]!.map((x) => text(x.payload.metadata?.[KEY_ID_METADATA])))).toEqual(new Set(['b']));

  // With the key: the values.
  const codec = payloadCodec(configB)!;
  const [input] = await codec.decode([payloads[0]!]);
  expect(text(input!.metadata?.encoding)).toBe('json/plain');
  const started = JSON.parse(text(input!.data)) as { runId: string; config: { seed: string } };
  expect(started).toMatchObject({ runId, config: { seed: SEED } });
  const decodedAll = await codec.decode(found.flat().map((x) => x.payload));
  expect(decodedAll.some((p) => text(p.data).includes('"scores"'))).toBe(true);

  // The codec endpoint, as the Web UI asks it.
  const server = await startCodecServer({
    codec,
    token: 'enc-token',
    origins: ['http://127.0.0.1:8233'],
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const res = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Namespace': 'default',
        Authorization: 'Bearer enc-token',
      },
      body: JSON.stringify({ payloads: [payloadToJson(payloads[0]!)] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).toContain(SEED);
  } finally {
    await server.close();
  }
});
