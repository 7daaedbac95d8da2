/**
 * DGM's meta agent (the Darwin Gödel Machine, arXiv 2505.22954), which the engine's `dgm` method
 * runs frozen in every generation: pick one train task the program failed, diagnose why, propose one
 * improvement, implement it. It is this file plus meta/, imports nothing outside meta/, and keeps the
 * engine's contract: improve(ctx) returns { strategy: 'llm' | 'offline', summary, turns }.
 *
 * ctx is the seed meta agent's (its meta_agent.mjs lists it); this agent reads ctx.workspace's
 * examples (the parent's train tasks), draws the failed task with ctx.rng, and with ctx.llm runs one
 * short tool-using session; without an LLM, a labelled offline analogue (meta/offline.mjs).
 */
import { chooseFailedTask } from './meta/failed.mjs';
import { appendNote } from './meta/notes.mjs';
import { diagnoseOffline } from './meta/offline.mjs';
import { META_PARAMS_FILE, readJsonFile, TASK_PARAMS_FILE, writeJsonFile } from './meta/params.mjs';
import { runToolLoop } from './meta/tool_loop.mjs';
import { readExampleSets } from './meta/workspace.mjs';

const OFFLINE_LABEL = "offline analogue of DGM's diagnose-and-fix (a rule, no LLM)";

export async function improve(ctx) {
  const sets = readExampleSets(ctx.repoDir, ctx.workspace);
  const choice = chooseFailedTask(sets, ctx.rng);
  if (!choice) {
    const count = sets.reduce((n, s) => n + (s.examples?.length ?? 0), 0);
    // Nothing to diagnose: DGM's step needs a failed task, so this generation edits nothing.
    return {
      strategy: 'offline',
      summary: `no failed train task among ${count} example(s): nothing to diagnose, no edit`,
      turns: 0,
    };
  }
  const settings = readJsonFile(ctx.repoDir, META_PARAMS_FILE);
  const examples = sets.find((s) => s.domain === choice.domain)?.examples ?? [];
  if (ctx.llm) {
    try {
      return await improveWithLlm(ctx, choice, settings.llm ?? {});
    } catch (error) {
      if (error?.turns !== 0) throw error;
      // The gateway answered nothing before any edit: the offline analogue rather than a wasted generation.
      return improveOffline(
        ctx,
        choice,
        examples,
        settings,
        `the LLM was unreachable (${error?.message ?? error}); `,
      );
    }
  }
  return improveOffline(ctx, choice, examples, settings, '');
}

function improveOffline(ctx, choice, examples, settings, prefix) {
  const task = readJsonFile(ctx.repoDir, TASK_PARAMS_FILE);
  const result = diagnoseOffline(task, choice, examples, ctx.rng, settings.offline?.guessStep ?? 0.1);
  if (result.change) writeJsonFile(ctx.repoDir, TASK_PARAMS_FILE, result.task);
  appendNote(ctx.repoDir, [
    `## Generation note: ${OFFLINE_LABEL}`,
    '',
    ...(prefix ? [`- ${prefix}so this rule ran instead`] : []),
    ...result.diagnosis.map((l) => `- ${l}`),
  ]);
  return {
    strategy: 'offline',
    summary: `${prefix}${OFFLINE_LABEL}: ${result.diagnosis.join('; ')}`,
    turns: 0,
  };
}

async function improveWithLlm(ctx, choice, settings) {
  const result = await runToolLoop({
    llm: ctx.llm,
    tools: ctx.tools,
    messages: openingMessages(ctx, choice, settings.exampleChars ?? 4000),
    maxTurns: Math.min(ctx.limits?.maxTurns ?? Infinity, settings.maxTurns ?? 30),
    deadlineMs: ctx.limits?.deadlineMs ?? Date.now() + 30 * 60_000,
    temperature: settings.temperature ?? 0.2,
    maxToolOutputChars: settings.maxToolOutputChars ?? 8000,
  });
  const summary = `DGM session on ${choice.domain} ${choice.example.id} (${result.stop}, ${result.turns} turn(s), ${
    result.toolCalls
  } tool call(s)): ${result.final?.trim() || 'no final summary'}`;
  appendNote(ctx.repoDir, [
    "## Generation note: DGM's diagnose-and-fix (LLM session)",
    '',
    `- edited: ${result.edited.join(', ') || 'nothing through the editor'}`,
    `- ${summary.replace(/\n+/g, ' ').slice(0, 2000)}`,
  ]);
  return { strategy: 'llm', summary, turns: result.turns };
}

const cut = (value, max) => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  return text.length > max ? `${text.slice(0, max)} [... cut]` : text;
};

/** DGM's instruction: the three steps, with the one failed task. */
function openingMessages(ctx, { domain, describe, example }, maxChars) {
  const system = [
    'You are improving an agent program. Its task agent (task_agent.mjs and task/) solves the tasks of',
    'each domain; task_agent.mjs must keep exporting async solve(input, ctx) returning { prediction, trace }.',
    'Your tools (bash, editor) work in the program folder. The program is evaluated after you finish; one that',
    'fails to load is discarded, so check your edit (e.g. node --check). workspace/ is for this session only.',
  ].join('\n');
  const user = [
    `The program failed this ${domain} train task (score ${example.score}). The domain: ${cut(describe ?? '', maxChars)}`,
    '',
    `input: ${cut(example.input, maxChars)}`,
    example.error !== undefined
      ? `error: ${cut(example.error, maxChars)}`
      : `prediction: ${cut(example.prediction, maxChars)}`,
    `label: ${cut(example.label, maxChars)}`,
    ...(example.details !== undefined ? [`scorer details: ${cut(example.details, maxChars)}`] : []),
    ...(example.trace !== undefined ? [`the task agent's trace: ${cut(example.trace, maxChars)}`] : []),
    '',
    '1. Diagnose why the program failed this task.',
    '2. Propose one improvement to the program that would fix this kind of failure.',
    `3. Implement it. You can try the task agent on train tasks with \`node ${ctx.workspace?.run ?? 'workspace/run_train.mjs'} --domain ${domain} --failed\`.`,
    'When done, answer without tool calls: your diagnosis, the improvement, and what you changed.',
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
