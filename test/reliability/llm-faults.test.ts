/**
 * LLM endpoint faults in an evolution run (issue 11): the scripted LLM world (docs/llm-test-world.md,
 * a test rig, never an LLM result) answers 429 with retry-after, 500, hangs, malformed and empty
 * replies, and the run's USD budget is reached. Each claim is checked against a source the engine
 * does not write: the world's own request log (what it was asked, what it answered whole, with
 * which usage) and the configured prices and retry policy.
 *
 * (a) the run's spend is exactly what the world answered whole, at the configured prices;
 * (b) no call is charged twice: the gateway's charged calls and the world's whole answers match
 *     one to one by what was asked, and every attempt the world saw is one the gateway counted;
 * (c) calls in flight are counted (src/llm/budget.ts, chat-call.ts): a call reserves its upper
 *     bound before it is sent, so the run may pass its cap only by what calls cost beyond their
 *     reservations (none did); what it had spent or reserved at any moment never passed the cap;
 *     a refusal counted exactly the reservations of its session's calls then under way, and no
 *     call was refused that would have fit once those settled (it waited for them instead);
 * (d) retries happen as configured (`llm.retry`, `llm.requestTimeoutSec`): 429, 500 and hangs are
 *     retried, a 429 after its retry-after and a hang once the request timeout cut it, and a call
 *     whose `maxAttempts` attempts all failed is counted failed; malformed replies are not
 *     retried; failed attempts cost nothing;
 * (e) the run ends cleanly on its budget, every generation archived once.
 */
import { runPrefix, type NodeRecord } from '../../src/archive';
import { loadConfig, type LoadedConfig } from '../../src/config';
import { DomainRegistry } from '../../src/domains';
import { numericSeed, type RunStatus } from '../../src/engine';
import { type CallRecord, costUsd, estimateTokens, type PriceTable } from '../../src/llm';
import { EngineHarness, smallRun } from '../engine/helpers';
import { DATA_DIR } from '../domains/helpers';
import { type RequestRecord, startScriptedLlmWorld, type ScriptedLlmWorld } from '../fixtures/scripted-llm';
import { promptKeyOf } from '../fixtures/scripted-llm/world';
import { writeFigures } from './figures';

const RUN_SEED = 'llm-faults';
const SIZES = { train: 8, val: 4, test: 4 };
/**
 * Task calls dear and meta calls cheap, so the budget runs out during an evaluation, with task
 * calls in flight, rather than in the meta agent's one-at-a-time calls; dear enough that the
 * reservations show at the refusal message's four decimals. Fault rates are high enough that
 * every kind (and a call running out of attempts) shows in every run, which is not the same
 * twice: parallel generations and concurrent calls finish in a different order each time.
 */
const TASK_PRICE = { inputUsdPerMTok: 40, outputUsdPerMTok: 160 };
const META_PRICE = { inputUsdPerMTok: 1, outputUsdPerMTok: 4 };
const RETRY = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 3000 };
const REQUEST_TIMEOUT_SEC = 1;
const RETRY_AFTER_MS = 600;
const MAX_COMPLETION_TOKENS = 256;
const BUDGET_USD = 2;
const GENERATIONS = 30;
const FAULTS = {
  rateLimit: 0.1,
  retryAfterMs: RETRY_AFTER_MS,
  serverError: 0.1,
  hang: 0.05,
  malformed: 0.05,
  emptyContent: 0.06,
  latency: 0.3,
  latencyMs: 40,
};
const RETRYABLE = new Set(['fault:rate-limit', 'fault:server-error', 'fault:hang']);

let world: ScriptedLlmWorld;
let h: EngineHarness;
let prices: PriceTable;

/** The label oracle: the test's own data, matched by the paper's title in the prompt. */
async function oracle(): Promise<(domain: string, prompt: string) => string | undefined> {
  const papers = await new DomainRegistry()
    .get('paper-review')
    .loadTasks({ seed: numericSeed(RUN_SEED), sizes: SIZES, dataDir: DATA_DIR });
  const keys = Object.values(papers.splits)
    .flat()
    .map((t) => [(t.input as { title: string }).title, papers.labels.get(t.id) as string] as const);
  return (domain, prompt) => {
    if (domain !== 'paper-review') return undefined;
    const hit = keys.find(([title]) => prompt.includes(`Title: ${title}\n`));
    return hit && `Decision: ${hit[1]}`;
  };
}

function worldConfig(w: ScriptedLlmWorld): LoadedConfig {
  const base = loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '' } });
  const llm = w.llmConfig();
  prices = { [llm.metaModel]: META_PRICE, [llm.taskModel]: TASK_PRICE };
  return {
    ...base,
    llm: {
      ...base.llm,
      ...llm,
      prices,
      maxCompletionTokens: MAX_COMPLETION_TOKENS,
      requestTimeoutSec: REQUEST_TIMEOUT_SEC,
      retry: RETRY,
    },
  };
}

beforeAll(async () => {
  world = await startScriptedLlmWorld({
    seed: 'llm-faults',
    oracle: await oracle(),
    faults: FAULTS,
    recentLimit: 1_000_000,
  });
  h = await new EngineHarness(worldConfig(world)).start();
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await world?.stop();
});

/** Every call record of the run, whichever node's session made it. */
async function runCalls(runId: string): Promise<CallRecord[]> {
  const keys = await h.store.list(`${runPrefix(runId)}llm/`);
  const bodies = await Promise.all(keys.map((k) => h.store.get(k)));
  return bodies.map((b) => JSON.parse(b!.toString('utf8')) as CallRecord);
}

interface Asked {
  messages: unknown[];
  tools?: unknown[];
  max_tokens?: number;
  max_completion_tokens?: number;
}

/** What the gateway reserved before sending: the prompt at four bytes a token, and the completion limit it forwarded. */
function reservation(c: CallRecord): { tokens: number; usd: number } {
  const asked = c.request as Asked;
  const cap = MAX_COMPLETION_TOKENS;
  const completion =
    asked.max_completion_tokens !== undefined
      ? Math.min(asked.max_completion_tokens, asked.max_tokens ?? cap, cap)
      : Math.min(asked.max_tokens ?? cap, cap);
  const usage = {
    promptTokens: estimateTokens(JSON.stringify([asked.messages, asked.tools ?? null])),
    completionTokens: completion,
  };
  return { tokens: usage.promptTokens + usage.completionTokens, usd: costUsd(prices, c.model!, usage)! };
}

function countBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

const worldCost = (r: RequestRecord) =>
  costUsd(prices, r.model, {
    promptTokens: r.usage!.prompt_tokens,
    completionTokens: r.usage!.completion_tokens,
  })!;

/** The refusal's figures, as the ledger wrote them (four decimals). */
function refusalFigures(message: string) {
  const m = /limit \$([\d.]+), spent \$([\d.]+), in flight \$([\d.]+), this call needs up to \$([\d.]+)/.exec(
    message,
  );
  if (!m) throw new Error(`not a USD refusal: ${message}`);
  const [limit, spent, inFlight, estimate] = m.slice(1).map(Number) as [number, number, number, number];
  return { limit, spent, inFlight, estimate };
}

test('429 with retry-after, 500, hangs and malformed replies in a run that reaches its USD budget: spent exactly what the world answered, nothing twice, retries as configured', async () => {
  const { runId, handle } = await h.startRun(
    smallRun({
      domains: ['paper-review'],
      domainSplitSizes: { 'paper-review': SIZES },
      stagedSampleSize: 4,
      seed: RUN_SEED,
      budget: { generations: GENERATIONS, usd: BUDGET_USD },
      parallelism: 2,
      testAtEnd: false,
    }),
  );
  const final: RunStatus = await handle.result();
  const nodes: NodeRecord[] = await h.archive.listNodes(runId);
  const calls = await runCalls(runId);
  const asked = world.recent();
  const answered = asked.filter((r) => r.usage !== undefined);
  const charged = calls.filter((c) => c.outcome === 'upstream');
  const sent = calls.filter((c) => c.attempts > 0);
  const keyOf = (c: CallRecord) => promptKeyOf(c.request as Asked);

  // (e) The run ended on its USD budget, cleanly, with every generation archived once.
  expect(final.stopReason).toMatch(
    /^(USD budget reached|LLM budget exhausted during (evaluation|self-modification) of gen-\d+: run USD budget exceeded)/,
  );
  expect(final.failures).toBe(0);
  const ids = nodes.map((n) => n.nodeId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(
    Array.from({ length: final.generationsDone + 1 }, (_, g) => `gen-${String(g).padStart(5, '0')}`),
  );
  expect(final.generationsDone).toBeLessThan(GENERATIONS);
  expect((await h.client.workflow.getHandle(runId).describe()).status.name).toBe('COMPLETED');

  // The world met every fault.
  const outcomes = countBy(asked, (r) => r.outcome);
  for (const fault of ['rate-limit', 'server-error', 'hang', 'malformed', 'empty-content'])
    expect(outcomes.get(`fault:${fault}`) ?? 0).toBeGreaterThan(0);

  // (a) Spend: exactly what the world answered whole, at the configured prices.
  const worldTokens = answered.reduce((s, r) => s + r.usage!.total_tokens, 0);
  const worldUsd = answered.reduce((s, r) => s + worldCost(r), 0);
  expect(final.spentTokens).toBe(worldTokens);
  expect(final.spentUsd).toBeCloseTo(worldUsd, 12);
  expect(charged.reduce((s, c) => s + c.costUsd, 0)).toBeCloseTo(worldUsd, 12);

  // (b) Nothing charged twice: charged calls and whole answers match one to one by what was asked,
  // with the same usage; every attempt the world saw is one the gateway counted; ids are unique.
  expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
  const usageKey = (key: string, prompt: number, completion: number) => `${key}|${prompt}|${completion}`;
  const chargedBy = countBy(charged, (c) =>
    usageKey(keyOf(c), c.usage.promptTokens, c.usage.completionTokens),
  );
  const answeredBy = countBy(answered, (r) =>
    usageKey(r.promptKey!, r.usage!.prompt_tokens, r.usage!.completion_tokens),
  );
  const excess = (a: Map<string, number>, b: Map<string, number>) =>
    [...a].reduce((sum, [k, n]) => sum + Math.max(0, n - (b.get(k) ?? 0)), 0);
  const chargedTwice = excess(chargedBy, answeredBy);
  const answeredNotCharged = excess(answeredBy, chargedBy);
  expect([chargedTwice, answeredNotCharged]).toEqual([0, 0]);
  expect(chargedBy).toEqual(answeredBy);
  for (const c of calls) {
    if (c.outcome !== 'upstream') expect(c.costUsd).toBe(0);
    else expect(c.costUsd).toBe(costUsd(prices, c.model!, c.usage));
  }
  const attemptsByKey = new Map<string, number>();
  for (const c of calls)
    if (c.attempts > 0) attemptsByKey.set(keyOf(c), (attemptsByKey.get(keyOf(c)) ?? 0) + c.attempts);
  expect(attemptsByKey).toEqual(countBy(asked, (r) => r.promptKey!));

  // (c) Calls in flight are counted: the gateway reserves before sending, and a call's cost never
  // passes its reservation, so no session passes its share and the run never passes its cap.
  // The ledger's rule (src/llm/budget.ts): a call is admitted only if spent + in flight + its
  // reservation fits, and settles at its real cost, "which may exceed the estimate": so the run may
  // pass its cap by at most what calls cost beyond their reservations. The reservation is the
  // prompt at four bytes a token plus the completion limit forwarded (src/llm/chat-call.ts).
  let beyondReservations = 0;
  for (const c of charged) {
    const held = reservation(c);
    beyondReservations += Math.max(0, c.costUsd - held.usd);
    expect(c.usage.promptTokens + c.usage.completionTokens).toBeLessThanOrEqual(held.tokens);
    expect(c.costUsd).toBeLessThanOrEqual(held.usd);
  }
  expect(beyondReservations).toBe(0);
  expect(final.spentUsd).toBeLessThanOrEqual(BUDGET_USD + beyondReservations);
  const refusals = calls.filter((c) => c.outcome === 'refused').map((c) => refusalFigures(c.error!));
  expect(refusals.length).toBeGreaterThan(0);
  // Each refusal is the ledger's rule: spent + in flight + this call's reservation passes the limit
  // (to the message's rounding).
  for (const r of refusals) expect(r.spent + r.inFlight + r.estimate).toBeGreaterThan(r.limit - 0.0002);
  // What the run had spent or reserved at any moment, from the call logs: a call holds its
  // reservation from when it got it (after any wait for calls in flight) to its end (a millisecond
  // less, for the log's rounding), then its cost. Calls in flight are counted, so it never passed
  // the cap.
  const events = sent.flatMap((c) => {
    const arrived = Date.parse(c.startedAt);
    const start = arrived + (c.budgetAtMs ?? 0);
    const held = reservation(c).usd;
    return [
      { t: start, order: 1, delta: held },
      { t: Math.max(start, arrived + c.latencyMs - 1), order: 0, delta: c.costUsd - held },
    ];
  });
  events.sort((a, b) => a.t - b.t || a.order - b.order);
  let committed = 0;
  let peakCommitted = 0;
  for (const e of events) peakCommitted = Math.max(peakCommitted, (committed += e.delta));
  expect(peakCommitted).toBeLessThanOrEqual(BUDGET_USD + 1e-9);
  // No call is refused that would fit once the calls in flight settled: it waits for them instead.
  const refusedForInFlight = refusals.filter((r) => r.inFlight > 0 && r.spent + r.estimate <= r.limit);
  expect(refusedForInFlight).toEqual([]);
  // What a refusal counted in flight is what the calls of its session then under way had reserved,
  // to the message's four decimals: at least the calls plainly holding a reservation when it was
  // decided (after its wait), at most those whose hold touches that moment (the log's times are
  // whole milliseconds). A session is one gateway (the call id's prefix): node and purpose do not
  // tell it, since a node's train and val stages of one domain may run at once, each with its own.
  const gatewayOf = (c: CallRecord) => c.id.slice(0, c.id.lastIndexOf('-'));
  const reservedAround = (r: CallRecord, margin: number) => {
    const at = Date.parse(r.startedAt) + (r.budgetAtMs ?? 0);
    return sent
      .filter(
        (c) =>
          gatewayOf(c) === gatewayOf(r) &&
          Date.parse(c.startedAt) + (c.budgetAtMs ?? 0) <= at + margin &&
          at - margin <= Date.parse(c.startedAt) + c.latencyMs,
      )
      .reduce((sum, c) => sum + reservation(c).usd, 0);
  };
  const inFlightSeen = calls
    .filter((c) => c.outcome === 'refused')
    .map((r) => ({
      counted: refusalFigures(r.error!).inFlight,
      atLeast: reservedAround(r, -1),
      atMost: reservedAround(r, 1),
    }));
  for (const r of inFlightSeen) {
    expect(r.counted).toBeGreaterThanOrEqual(r.atLeast - 0.00006);
    expect(r.counted).toBeLessThanOrEqual(r.atMost + 0.00006);
  }

  // (d) Retries as configured. Per request asked: the world's retryable faults are the gateway's
  // retries plus the last attempts of calls that ran out of attempts; malformed replies end a call.
  const retryableByKey = countBy(
    asked.filter((r) => RETRYABLE.has(r.outcome)),
    (r) => r.promptKey!,
  );
  const exhausted = calls.filter((c) => c.outcome === 'error' && / after \d+ attempts/.test(c.error ?? ''));
  const retriesByKey = new Map<string, number>();
  for (const c of calls) {
    expect(c.attempts).toBeLessThanOrEqual(RETRY.maxAttempts);
    const n = Math.max(0, c.attempts - 1) + (exhausted.includes(c) ? 1 : 0);
    if (n > 0) retriesByKey.set(keyOf(c), (retriesByKey.get(keyOf(c)) ?? 0) + n);
  }
  expect(retriesByKey).toEqual(retryableByKey);
  // A call whose every attempt failed so is counted failed (502 to the agent), after maxAttempts.
  expect(exhausted.length).toBeGreaterThan(0);
  for (const c of exhausted) expect([c.attempts, c.status]).toEqual([RETRY.maxAttempts, 502]);
  const malformed = calls.filter((c) => /returned an invalid response/.test(c.error ?? ''));
  expect(countBy(malformed, keyOf)).toEqual(
    countBy(
      asked.filter((r) => r.outcome === 'fault:malformed'),
      (r) => r.promptKey!,
    ),
  );

  // Each arrival at the world, traced to the gateway call that made it: the call asking the same
  // thing whose time span (its start, plus its latency over every attempt) holds the arrival; an
  // arrival two calls could have made (the same task asked by two generations at once) is left out.
  const spanOf = (c: CallRecord) => [Date.parse(c.startedAt), Date.parse(c.startedAt) + c.latencyMs + 2];
  const sentByKey = new Map<string, CallRecord[]>();
  for (const c of sent) sentByKey.set(keyOf(c), [...(sentByKey.get(keyOf(c)) ?? []), c]);
  const arrivals = new Map<CallRecord, RequestRecord[]>();
  let shared = 0;
  for (const r of asked) {
    const makers = (sentByKey.get(r.promptKey!) ?? []).filter((c) => {
      const [from, to] = spanOf(c);
      return r.atMs >= from! && r.atMs <= to!;
    });
    // No request reached the world that no gateway call was making at that moment.
    expect(makers.length).toBeGreaterThan(0);
    if (makers.length > 1) shared += 1;
    else arrivals.set(makers[0]!, [...(arrivals.get(makers[0]!) ?? []), r]);
  }
  const traced = sent.filter((c) => arrivals.get(c)?.length === c.attempts);
  expect(traced.length).toBeGreaterThanOrEqual(0.8 * sent.length);
  // A traced call: its attempts are retryable faults, then what the gateway made of the last one;
  // a 429 is retried after its retry-after, a hang once the request timeout has cut it.
  const gaps: Record<'rate-limit' | 'server-error' | 'hang', number[]> = {
    'rate-limit': [],
    'server-error': [],
    hang: [],
  };
  for (const c of traced) {
    const attempts = arrivals.get(c)!;
    const last = attempts.at(-1)!;
    for (let i = 0; i + 1 < attempts.length; i++) {
      expect(RETRYABLE.has(attempts[i]!.outcome)).toBe(true);
      const kind = attempts[i]!.outcome.replace('fault:', '') as keyof typeof gaps;
      gaps[kind].push(attempts[i + 1]!.atMs - attempts[i]!.atMs);
    }
    if (c.outcome === 'upstream') {
      expect(last.usage).toEqual({
        prompt_tokens: c.usage.promptTokens,
        completion_tokens: c.usage.completionTokens,
        total_tokens: c.usage.promptTokens + c.usage.completionTokens,
      });
    } else if (exhausted.includes(c)) expect(RETRYABLE.has(last.outcome)).toBe(true);
    else expect(last.outcome).toBe('fault:malformed');
  }
  const timeoutMs = REQUEST_TIMEOUT_SEC * 1000;
  for (const kind of ['rate-limit', 'server-error', 'hang'] as const)
    expect(gaps[kind].length).toBeGreaterThan(0);
  for (const g of gaps['rate-limit']) expect(g).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
  for (const g of gaps.hang) {
    // The client's clock starts when it sends; the world logs an arrival once it has read the body,
    // later by however busy this one process (world, worker, gateway) was.
    expect(g).toBeGreaterThanOrEqual(timeoutMs - 100);
    // Ended by the timeout, not later: the timeout, a backoff without hint, and some scheduling.
    expect(g).toBeLessThan(timeoutMs + RETRY.baseDelayMs * 2 ** (RETRY.maxAttempts - 1) + 1000);
  }

  const retries = [...retriesByKey.values()].reduce((a, b) => a + b, 0) - exhausted.length;
  const figures = {
    budgetUsd: BUDGET_USD,
    spentUsd: final.spentUsd,
    spentShareOfCap: final.spentUsd / BUDGET_USD,
    worldAnsweredUsd: worldUsd,
    spentTokens: final.spentTokens,
    worldAnsweredTokens: worldTokens,
    generations: final.generationsDone,
    stopReason: final.stopReason,
    worldRequests: asked.length,
    worldAnswered: answered.length,
    worldFaults: Object.fromEntries([...outcomes].filter(([o]) => o.startsWith('fault:'))),
    gatewayCalls: calls.length,
    chargedCalls: charged.length,
    chargedTwice,
    answeredNotCharged,
    refused: refusals.length,
    refusedForInFlight: refusedForInFlight.length,
    refusedWithCallsInFlight: inFlightSeen.filter((r) => r.counted > 0).length,
    peakCommittedUsd: peakCommitted,
    overCapUsd: Math.max(0, final.spentUsd - BUDGET_USD),
    beyondReservationsUsd: beyondReservations,
    maxCompletionTokens: MAX_COMPLETION_TOKENS,
    largestCompletionTokens: Math.max(...charged.map((c) => c.usage.completionTokens)),
    retries,
    exhausted: exhausted.length,
    malformedNotRetried: malformed.length,
    maxAttempts: RETRY.maxAttempts,
    requestTimeoutSec: REQUEST_TIMEOUT_SEC,
    retryAfterMs: RETRY_AFTER_MS,
    tracedCalls: traced.length,
    sharedArrivals: shared,
    retriedAfter: {
      'rate-limit': gaps['rate-limit'].length,
      'server-error': gaps['server-error'].length,
      hang: gaps.hang.length,
    },
    minGapAfter429Ms: Math.min(...gaps['rate-limit']),
    minGapAfterHangMs: Math.min(...gaps.hang),
    maxGapAfterHangMs: Math.max(...gaps.hang),
  };
  writeFigures('llm-faults', figures);
}, 170_000);
