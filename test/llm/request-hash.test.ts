import { createHash } from 'crypto';
import { requestHash } from '../../src/llm/request-hash';
import { costUsd, estimateTokens } from '../../src/llm/pricing';

describe('requestHash', () => {
  const messages = [{ role: 'user', content: 'hi' }];

  it('is sha256 of the canonical JSON of role and answer-shaping parameters', () => {
    const expected = createHash('sha256')
      .update('{"messages":[{"content":"hi","role":"user"}],"role":"task","temperature":0}')
      .digest('hex');
    expect(requestHash('task', { model: 'task', messages, temperature: 0, stream: false, user: 'x' })).toBe(
      expected,
    );
  });

  it('ignores key order and the model name, but not the role, messages or tools', () => {
    const base = requestHash('task', { messages, temperature: 0 });
    expect(
      requestHash('task', { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'other' }),
    ).toBe(base);
    expect(requestHash('meta', { messages, temperature: 0 })).not.toBe(base);
    expect(requestHash('task', { messages: [{ role: 'user', content: 'hi!' }], temperature: 0 })).not.toBe(
      base,
    );
    expect(requestHash('task', { messages, temperature: 0, tools: [] })).not.toBe(base);
  });
});

describe('pricing', () => {
  it('computes USD from per-million prices, undefined for an unknown model', () => {
    const prices = { m: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 } };
    // (1200·0.15 + 300·0.6) / 1e6 = 360 / 1e6
    expect(costUsd(prices, 'm', { promptTokens: 1200, completionTokens: 300 })).toBeCloseTo(0.00036, 12);
    expect(costUsd(prices, 'other', { promptTokens: 1, completionTokens: 1 })).toBeUndefined();
  });

  it('estimates four bytes per token, rounding up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('é'.repeat(4))).toBe(2); // 8 bytes
  });
});
