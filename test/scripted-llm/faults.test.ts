/**
 * The scripted LLM world's faults, as the real `openai` client meets them: each at its configured
 * rate, retried by the client where it retries, and the same sequence on a rerun.
 */
import OpenAI from 'openai';
import {
  type ScriptedLlmWorld,
  type ScriptedWorldOptions,
  startScriptedLlmWorld,
} from '../fixtures/scripted-llm';
import { syntheticOracle, syntheticTask } from '../fixtures/scripted-llm/synthetic';

type Result = { ok: OpenAI.ChatCompletion } | { error: unknown };

async function askAll(world: ScriptedLlmWorld, count: number, client: OpenAI): Promise<Result[]> {
  return Promise.all(
    Array.from({ length: count }, (_, id) =>
      client.chat.completions
        .create({ model: world.options.taskModel, messages: syntheticTask('paper-review', id).messages })
        .then(
          (ok) => ({ ok }),
          (error: unknown) => ({ error }),
        ),
    ),
  );
}

describe('faults of the scripted LLM world', () => {
  const worlds: ScriptedLlmWorld[] = [];
  const start = async (options: Omit<ScriptedWorldOptions, 'oracle'>) => {
    const world = await startScriptedLlmWorld({ oracle: syntheticOracle, seed: 'faults', ...options });
    worlds.push(world);
    return world;
  };
  afterEach(async () => {
    await Promise.all(worlds.splice(0).map((w) => w.stop()));
  });

  it('appear at their configured rates, each as the client sees that fault', async () => {
    const world = await start({
      faults: { rateLimit: 0.2, serverError: 0.1, malformed: 0.05, emptyContent: 0.05, retryAfterMs: 1500 },
    });
    const n = 400;
    const results = await askAll(
      world,
      n,
      new OpenAI({ baseURL: world.baseURL, apiKey: 'k', maxRetries: 0 }),
    );
    const errors = results.flatMap((r) => ('error' in r ? [r.error] : []));
    const status = (s: number) => errors.filter((e) => e instanceof OpenAI.APIError && e.status === s);
    const limited = status(429);
    const failed = status(500);
    const malformed = errors.filter((e) => (e as Error).name === 'SyntaxError');
    const empty = results.filter((r) => 'ok' in r && r.ok.choices[0]?.message.content === '');
    expect(errors).toHaveLength(limited.length + failed.length + malformed.length);

    // Expected 80, 40, 20, 20; three standard deviations either side.
    expect(limited.length).toBeGreaterThanOrEqual(56);
    expect(limited.length).toBeLessThanOrEqual(104);
    expect(failed.length).toBeGreaterThanOrEqual(22);
    expect(failed.length).toBeLessThanOrEqual(58);
    expect(malformed.length).toBeGreaterThanOrEqual(7);
    expect(malformed.length).toBeLessThanOrEqual(33);
    expect(empty.length).toBeGreaterThanOrEqual(7);
    expect(empty.length).toBeLessThanOrEqual(33);

    const headers = (limited[0] as InstanceType<typeof OpenAI.APIError>).headers;
    expect(headers?.get('retry-after-ms')).toBe('1500');
    expect(headers?.get('retry-after')).toBe('2');
    expect(world.counts().byOutcome).toMatchObject({
      'fault:rate-limit': limited.length,
      'fault:server-error': failed.length,
      'fault:malformed': malformed.length,
      'fault:empty-content': empty.length,
    });
    for (const r of results) if ('ok' in r) expect(r.ok.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('are retried by the client until the answer comes, and the retried answer is the same', async () => {
    const world = await start({ faults: { rateLimit: 0.3, serverError: 0.1 } });
    // 500s are retried with the client's own backoff (0.5 s, doubling): few requests keep it short.
    const n = 40;
    const retried = await askAll(
      world,
      n,
      new OpenAI({ baseURL: world.baseURL, apiKey: 'k', maxRetries: 8 }),
    );
    expect(retried.every((r) => 'ok' in r)).toBe(true);
    const counts = world.counts();
    const faults =
      (counts.byOutcome['fault:rate-limit'] ?? 0) + (counts.byOutcome['fault:server-error'] ?? 0);
    expect(counts.byOutcome['fault:rate-limit']).toBeGreaterThan(0);
    expect(counts.byOutcome['fault:server-error']).toBeGreaterThan(0);
    expect(counts.total).toBe(n + faults);

    const calm = await start({});
    const direct = await askAll(calm, n, new OpenAI({ baseURL: calm.baseURL, apiKey: 'k', maxRetries: 0 }));
    const contents = (rs: Result[]) => rs.map((r) => ('ok' in r ? r.ok.choices[0]?.message.content : null));
    expect(contents(retried)).toEqual(contents(direct));
  });

  it('meet a rerun in the same order', async () => {
    const faults = { rateLimit: 0.2, serverError: 0.2, malformed: 0.1 };
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const world = await start({ faults });
      const client = new OpenAI({ baseURL: world.baseURL, apiKey: 'k', maxRetries: 0 });
      for (let i = 0; i < 3; i++) {
        for (let id = 0; id < 20; id++) {
          const messages = syntheticTask('paper-review', id).messages;
          await client.chat.completions.create({ model: 'scripted-task', messages }).catch(() => undefined);
        }
      }
      outcomes.push(world.recent(60).map((r) => r.outcome));
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(new Set(outcomes[0])).toEqual(
      new Set([
        'correct',
        'wrong',
        'unparsable',
        'fault:rate-limit',
        'fault:server-error',
        'fault:malformed',
      ]),
    );
  });

  it('hang until the client gives up, and stop() cuts hanging requests', async () => {
    const world = await start({ faults: { hang: 1 } });
    const client = new OpenAI({ baseURL: world.baseURL, apiKey: 'k', maxRetries: 0, timeout: 300 });
    await expect(
      client.chat.completions.create({
        model: world.options.taskModel,
        messages: syntheticTask('paper-review', 1).messages,
      }),
      // Under jest the client reports its own timeout as the parent class: its abort error comes
      // from another realm and loses its name (outside jest it is APIConnectionTimeoutError).
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(world.recent(1)[0]?.outcome).toBe('fault:hang');

    const patient = new OpenAI({ baseURL: world.baseURL, apiKey: 'k', maxRetries: 0 });
    const pending = patient.chat.completions.create({
      model: world.options.taskModel,
      messages: syntheticTask('paper-review', 2).messages,
    });
    const settled = pending.then(
      () => 'answered',
      (e: unknown) => (e instanceof OpenAI.APIConnectionError ? 'connection cut' : String(e)),
    );
    while (world.counts().total < 2) await new Promise((r) => setImmediate(r));
    await world.stop();
    expect(await settled).toBe('connection cut');
  });

  it('delay answers when latency is drawn, and spare the roles not named', async () => {
    const world = await start({ faults: { latency: 1, latencyMs: 40, serverError: 1, roles: ['meta'] } });
    const results = await askAll(
      world,
      20,
      new OpenAI({ baseURL: world.baseURL, apiKey: 'k', maxRetries: 0 }),
    );
    expect(results.every((r) => 'ok' in r)).toBe(true);
    expect(world.recent().every((r) => r.delayMs === 0)).toBe(true);

    const slow = await start({ faults: { latency: 1, latencyMs: 40 } });
    await askAll(slow, 20, new OpenAI({ baseURL: slow.baseURL, apiKey: 'k', maxRetries: 0 }));
    const delays = slow.recent().map((r) => r.delayMs);
    expect(delays.every((d) => d >= 0 && d <= 40)).toBe(true);
    expect(delays.filter((d) => d > 0).length).toBeGreaterThan(15);
  });

  it('delay every answer by a fixed latency, on top of a drawn one', async () => {
    const fixed = await start({ faults: { fixedLatencyMs: 30 } });
    await askAll(fixed, 10, new OpenAI({ baseURL: fixed.baseURL, apiKey: 'k', maxRetries: 0 }));
    expect(fixed.recent().map((r) => r.delayMs)).toEqual(Array.from({ length: 10 }, () => 30));
    const both = await start({ faults: { fixedLatencyMs: 30, latency: 1, latencyMs: 20 } });
    await askAll(both, 10, new OpenAI({ baseURL: both.baseURL, apiKey: 'k', maxRetries: 0 }));
    expect(both.recent().every((r) => r.delayMs >= 30 && r.delayMs <= 50)).toBe(true);
    expect(both.recent().some((r) => r.delayMs > 30)).toBe(true);
  });
});
