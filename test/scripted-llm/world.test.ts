/**
 * The scripted LLM world on task calls, through the real `openai` client: deterministic answers,
 * a skill that hints move, usage on every reply, introspection, and refusals like OpenAI's.
 */
import OpenAI from 'openai';
import {
  hintMarker,
  type ScriptedLlmWorld,
  startScriptedLlmWorld,
  UNPARSABLE_REPLY,
} from '../fixtures/scripted-llm';
import {
  parseLabel,
  type SyntheticTask,
  syntheticOracle,
  syntheticTask,
} from '../fixtures/scripted-llm/synthetic';

const clientOf = (world: ScriptedLlmWorld) =>
  new OpenAI({ baseURL: world.baseURL, apiKey: 'sk-test', maxRetries: 0 });

async function ask(world: ScriptedLlmWorld, task: SyntheticTask): Promise<string> {
  const completion = await clientOf(world).chat.completions.create({
    model: world.options.taskModel,
    messages: task.messages,
  });
  return completion.choices[0]?.message.content ?? '';
}

/** Share of `count` synthetic tasks answered with their label, the given hints in every prompt. */
async function accuracy(world: ScriptedLlmWorld, hints: string[], count = 200): Promise<number> {
  const tasks = Array.from({ length: count }, (_, id) => syntheticTask('paper-review', id, hints));
  const replies = await Promise.all(tasks.map((t) => ask(world, t)));
  return replies.filter((r, i) => parseLabel('paper-review', r) === tasks[i]?.label).length / count;
}

describe('the scripted LLM world answering tasks', () => {
  let world: ScriptedLlmWorld;
  beforeEach(async () => {
    world = await startScriptedLlmWorld({ oracle: syntheticOracle, seed: 'world-test' });
  });
  afterEach(() => world.stop());

  it('gives the same answer to the same request, in this world and in a rerun with the same seed', async () => {
    const tasks = Array.from({ length: 40 }, (_, id) => syntheticTask('math-grading', id));
    const first = await Promise.all(tasks.map((t) => ask(world, t)));
    expect(await Promise.all(tasks.map((t) => ask(world, t)))).toEqual(first);

    const rerun = await startScriptedLlmWorld({ oracle: syntheticOracle, seed: 'world-test' });
    const other = await startScriptedLlmWorld({ oracle: syntheticOracle, seed: 'another-seed' });
    try {
      expect(await Promise.all(tasks.map((t) => ask(rerun, t)))).toEqual(first);
      expect(await Promise.all(tasks.map((t) => ask(other, t)))).not.toEqual(first);
    } finally {
      await rerun.stop();
      await other.stop();
    }
  });

  it('is right about as often as its base skill, more often with useful hints, less with harmful ones', async () => {
    // paper-review: base 0.55; the two useful hints add 0.1 each; always-accept takes 0.2 off.
    const plain = await accuracy(world, []);
    const helped = await accuracy(world, [
      hintMarker('paper-review', 'weigh-evidence'),
      hintMarker('paper-review', 'calibrate-acceptance-rate'),
    ]);
    const hurt = await accuracy(world, [hintMarker('paper-review', 'always-accept')]);
    // One standard deviation of a difference of two 200-task accuracies is about 0.05.
    expect(Math.abs(plain - 0.55)).toBeLessThan(0.1);
    expect(helped - plain).toBeGreaterThan(0.1);
    expect(plain - hurt).toBeGreaterThan(0.1);
  });

  it('counts a hint once, and only in its own domain', async () => {
    const useful = hintMarker('paper-review', 'weigh-evidence');
    await ask(world, syntheticTask('paper-review', 1, [useful, useful]));
    await ask(world, syntheticTask('paper-review', 2, [hintMarker('math-grading', 'follow-guidelines')]));
    await ask(world, syntheticTask('paper-review', 3, [hintMarker('paper-review', 'no-such-hint')]));
    const [twice, foreign, unknown] = world.recent(3);
    expect(twice).toMatchObject({ domain: 'paper-review', hints: [useful] });
    expect(twice?.skill).toBeCloseTo(0.65);
    expect(foreign).toMatchObject({ hints: [], skill: 0.55 });
    expect(unknown).toMatchObject({ hints: [], skill: 0.55 });
  });

  it('answers wrongly with another label or with unparsable text, and counts each outcome', async () => {
    const tasks = Array.from({ length: 200 }, (_, id) => syntheticTask('math-grading', id));
    const replies = await Promise.all(tasks.map((t) => ask(world, t)));
    const predictions = replies.map((r) => parseLabel('math-grading', r));
    const right = predictions.filter((p, i) => p === tasks[i]?.label).length;
    const unparsable = replies.filter((r) => r === UNPARSABLE_REPLY).length;
    const wrongLabel = predictions.filter((p, i) => p !== undefined && p !== tasks[i]?.label).length;
    expect(predictions.filter((p) => p === undefined)).toHaveLength(unparsable);
    expect(world.counts().byRole.task).toEqual({ correct: right, unparsable, wrong: wrongLabel });
    // Of about 110 wrong answers, the default 20 % are unparsable.
    expect(unparsable).toBeGreaterThan(5);
    expect(wrongLabel).toBeGreaterThan(3 * unparsable);
  });

  it('puts usage in every reply, growing with the prompt', async () => {
    const client = clientOf(world);
    const short = await client.chat.completions.create({
      model: world.options.taskModel,
      messages: syntheticTask('paper-review', 1).messages,
    });
    const long = await client.chat.completions.create({
      model: world.options.taskModel,
      messages: [...syntheticTask('paper-review', 1).messages, { role: 'user', content: 'x'.repeat(4000) }],
    });
    for (const c of [short, long]) {
      expect(c.usage?.completion_tokens).toBeGreaterThan(0);
      expect(c.usage?.total_tokens).toBe((c.usage?.prompt_tokens ?? 0) + (c.usage?.completion_tokens ?? 0));
    }
    expect((long.usage?.prompt_tokens ?? 0) - (short.usage?.prompt_tokens ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('says so when it does not know the task or cannot tell the domain', async () => {
    const client = clientOf(world);
    const unknownTask = await client.chat.completions.create({
      model: world.options.taskModel,
      messages: [{ role: 'user', content: 'Was this paper accepted? Title: not one of the test tasks' }],
    });
    const noDomain = await client.chat.completions.create({
      model: world.options.taskModel,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(parseLabel('paper-review', unknownTask.choices[0]?.message.content ?? '')).toBeDefined();
    expect(world.recent(2).map((r) => r.outcome)).toEqual(['unknown-task', 'unrecognised']);
    expect(noDomain.choices[0]?.message.content).toBe('I cannot tell what this task asks for.');
  });

  it('refuses an unknown model and streaming as OpenAI does, and lists its models', async () => {
    const client = clientOf(world);
    await expect(
      client.chat.completions.create({
        model: 'gpt-nonexistent',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(
      client.chat.completions.create({
        model: world.options.taskModel,
        messages: syntheticTask('paper-review', 1).messages,
        stream: true,
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(world.counts().byRole.unknown).toEqual({ refused: 2 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['scripted-task', 'scripted-meta']);
  });
});
