import OpenAI from 'openai';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';

/** The stub must be a faithful enough upstream for the real `openai` client. */
describe('OpenAI stub with the real openai client', () => {
  let stub: OpenAIStub;
  let client: OpenAI;

  beforeEach(async () => {
    stub = await startOpenAIStub({ models: ['stub-a', 'stub-b'] });
    client = new OpenAI({ baseURL: stub.baseURL, apiKey: 'sk-stub-key', maxRetries: 0, timeout: 5_000 });
  });
  afterEach(() => stub.close());

  it('answers scripted text with usage and records the request', async () => {
    stub.enqueue({
      kind: 'text',
      content: 'hello there',
      usage: { prompt_tokens: 12, completion_tokens: 3 },
    });
    const res = await client.chat.completions.create({
      model: 'stub-a',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
    });
    expect(res.choices[0]?.message.content).toBe('hello there');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
    expect(res.model).toBe('stub-a');
    expect(stub.requests).toHaveLength(1);
    const [req] = stub.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-stub-key');
    expect(req?.body).toEqual({
      model: 'stub-a',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
    });
  });

  it('answers tool calls', async () => {
    stub.enqueue({
      kind: 'toolCalls',
      toolCalls: [{ name: 'bash', arguments: { command: 'ls -la' }, id: 'call_1' }],
    });
    const res = await client.chat.completions.create({
      model: 'stub-a',
      messages: [{ role: 'user', content: 'list files' }],
      tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }],
    });
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.id).toBe('call_1');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('bash');
    expect(JSON.parse(call.function.arguments)).toEqual({ command: 'ls -la' });
  });

  it('lets the client retry a 429 and then succeeds', async () => {
    stub.enqueue(
      { kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after-ms': '1' } },
      { kind: 'text', content: 'ok now' },
    );
    const retrying = new OpenAI({ baseURL: stub.baseURL, apiKey: 'k', maxRetries: 1 });
    const res = await retrying.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(res.choices[0]?.message.content).toBe('ok now');
    expect(stub.chatRequests).toHaveLength(2);
    expect(stub.pending).toBe(0);
  });

  it('returns 429 and 500 errors the client classifies', async () => {
    stub.enqueue({ kind: 'error', status: 429, message: 'rate limited' }, { kind: 'error', status: 500 });
    const call = () =>
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await expect(call()).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining('rate limited') as unknown,
    });
    await expect(call()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('sends malformed JSON, and hangs until the client times out', async () => {
    stub.enqueue({ kind: 'malformed' }, { kind: 'hang' });
    const call = (timeout = 5_000) =>
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { timeout });
    // The body is parsed by Node's fetch, whose SyntaxError comes from another realm than jest's.
    await expect(call()).rejects.toMatchObject({ name: 'SyntaxError' });
    // A timeout (APIConnectionTimeoutError outside jest; jest's realm hides the AbortError's name).
    await expect(call(200)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('answers 500 with a clear message when the script is exhausted, and lists models', async () => {
    await expect(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining('no scripted reply left') as unknown,
    });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['stub-a', 'stub-b']);
  });

  it('holds a gated reply until the test releases it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    stub.enqueue({ kind: 'text', content: 'released', gate });
    const pending = client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    await stub.waitForRequests(1);
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    expect((await pending).choices[0]?.message.content).toBe('released');
  });
});
