import { getEventListeners } from 'events';
import { openAIUpstream } from '../../src/llm/upstream';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';

describe('openAIUpstream', () => {
  let stub: OpenAIStub;
  beforeEach(async () => {
    stub = await startOpenAIStub({ fallback: { kind: 'text', content: 'again' } });
  });
  afterEach(() => stub.close());

  it('leaves no listener on the long-lived signal it is given', async () => {
    const upstream = openAIUpstream({ baseUrl: stub.baseURL, models: { meta: 'm', task: 't' } });
    const gatewayLife = new AbortController();
    for (let i = 0; i < 12; i++) {
      const c = await upstream.complete(
        { model: 't', messages: [{ role: 'user', content: `${i}` }] },
        gatewayLife.signal,
      );
      expect(c.choices).toHaveLength(1);
    }
    expect(getEventListeners(gatewayLife.signal, 'abort')).toHaveLength(0);
  });

  it('sends a placeholder key when none is configured, never the environment one', async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-from-the-worker-environment';
    try {
      const upstream = openAIUpstream({ baseUrl: stub.baseURL, models: { meta: 'm', task: 't' } });
      await upstream.complete(
        { model: 't', messages: [{ role: 'user', content: 'x' }] },
        new AbortController().signal,
      );
      expect(stub.chatRequests[0]?.headers.authorization).toBe('Bearer no-key');
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });
});
