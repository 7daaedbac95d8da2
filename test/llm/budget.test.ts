import { BudgetLedger, isRefusal } from '../../src/llm/budget';

describe('BudgetLedger', () => {
  it('counts calls in flight when deciding: the third of three $1 calls does not fit in $2.50', () => {
    const ledger = new BudgetLedger({ usd: 2.5 });
    const a = ledger.reserve({ usd: 1, tokens: 100 });
    const b = ledger.reserve({ usd: 1, tokens: 100 });
    const c = ledger.reserve({ usd: 1, tokens: 100 });
    expect(isRefusal(a) || isRefusal(b)).toBe(false);
    expect(isRefusal(c)).toBe(true);
    if (!isRefusal(c)) throw new Error('unreachable');
    expect(c).toMatchObject({ kind: 'usd', limit: 2.5, spent: 0, inFlight: 2, estimate: 1 });
    expect(c.message).toBe(
      'run USD budget exceeded: limit $2.5000, spent $0.0000, in flight $2.0000, this call needs up to $1.0000',
    );
    expect(ledger.snapshot()).toEqual({
      limits: { usd: 2.5 },
      spent: { usd: 0, tokens: 0 },
      inFlight: { usd: 2, tokens: 200 },
      inFlightCalls: 2,
    });
  });

  it('settles with the actual spend and frees room for later calls', () => {
    const ledger = new BudgetLedger({ usd: 2.5 }, { usd: 0.25, tokens: 40 });
    const a = ledger.reserve({ usd: 1, tokens: 100 });
    const b = ledger.reserve({ usd: 1, tokens: 100 });
    if (isRefusal(a) || isRefusal(b)) throw new Error('should fit');
    ledger.settle(a, { usd: 0.5, tokens: 70 });
    ledger.release(b);
    ledger.settle(a, { usd: 9, tokens: 9 }); // a second settle of the same reservation is ignored
    expect(ledger.snapshot().spent).toEqual({ usd: 0.75, tokens: 110 });
    expect(ledger.snapshot().inFlightCalls).toBe(0);
    // 0.75 spent + 1.75 = 2.5: exactly at the limit still fits; a hair more does not.
    expect(isRefusal(ledger.reserve({ usd: 1.75, tokens: 0 }))).toBe(false);
    expect(isRefusal(ledger.reserve({ usd: 0.01, tokens: 0 }))).toBe(true);
  });

  it('enforces a token limit independently, and no limit means no refusal', () => {
    const ledger = new BudgetLedger({ tokens: 1000 }, { usd: 0, tokens: 900 });
    const r = ledger.reserve({ usd: 0, tokens: 410 });
    expect(isRefusal(r) && r.message).toBe(
      'run token budget exceeded: limit 1000 tokens, spent 900 tokens, in flight 0 tokens, this call needs up to 410 tokens',
    );
    const open = new BudgetLedger();
    expect(isRefusal(open.reserve({ usd: 1e9, tokens: 1e12 }))).toBe(false);
  });

  it('a call that fits once the calls in flight settle waits for them; one that never fits is refused at once', async () => {
    const ledger = new BudgetLedger({ usd: 2.5 });
    const a = ledger.reserve({ usd: 1, tokens: 0 });
    const b = ledger.reserve({ usd: 1, tokens: 0 });
    if (isRefusal(a) || isRefusal(b)) throw new Error('should fit');
    let third: unknown;
    const waiting = ledger.reserveWhenRoom({ usd: 1, tokens: 0 }).then((r) => (third = r));
    // Refused at once: $3 is more than the whole budget, whatever is in flight.
    expect(isRefusal(await ledger.reserveWhenRoom({ usd: 3, tokens: 0 }))).toBe(true);
    await Promise.resolve();
    expect(third).toBeUndefined();
    ledger.settle(a, { usd: 0.9, tokens: 0 }); // $0.9 spent + $1 in flight + $1: still over $2.5
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined();
    ledger.settle(b, { usd: 0.1, tokens: 0 }); // $1 spent: now it fits
    await waiting;
    expect(isRefusal(third as ReturnType<BudgetLedger['reserve']>)).toBe(false);
    expect(ledger.snapshot()).toMatchObject({ spent: { usd: 1 }, inFlight: { usd: 1 }, inFlightCalls: 1 });
  });

  it('a waiting call is refused when what settled leaves no room, and gives up when its signal aborts', async () => {
    const ledger = new BudgetLedger({ usd: 2 });
    const a = ledger.reserve({ usd: 1.5, tokens: 0 });
    if (isRefusal(a)) throw new Error('should fit');
    const refused = ledger.reserveWhenRoom({ usd: 1, tokens: 0 });
    ledger.settle(a, { usd: 1.5, tokens: 0 }); // all of it spent: $1 more can never fit
    const r = await refused;
    expect(isRefusal(r) && r.message).toBe(
      'run USD budget exceeded: limit $2.0000, spent $1.5000, in flight $0.0000, this call needs up to $1.0000',
    );

    const b = ledger.reserve({ usd: 0.4, tokens: 0 });
    if (isRefusal(b)) throw new Error('should fit');
    const abort = new AbortController();
    const gaveUp = ledger.reserveWhenRoom({ usd: 0.3, tokens: 0 }, abort.signal);
    abort.abort(new Error('the gateway is closing'));
    await expect(gaveUp).rejects.toThrow('the gateway is closing');
  });

  it('applies new limits to the next reservation', () => {
    const ledger = new BudgetLedger({ usd: 1 });
    expect(isRefusal(ledger.reserve({ usd: 2, tokens: 0 }))).toBe(true);
    ledger.setLimits({ usd: 5 });
    expect(isRefusal(ledger.reserve({ usd: 2, tokens: 0 }))).toBe(false);
  });
});
