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

  it('applies new limits to the next reservation', () => {
    const ledger = new BudgetLedger({ usd: 1 });
    expect(isRefusal(ledger.reserve({ usd: 2, tokens: 0 }))).toBe(true);
    ledger.setLimits({ usd: 5 });
    expect(isRefusal(ledger.reserve({ usd: 2, tokens: 0 }))).toBe(false);
  });
});
