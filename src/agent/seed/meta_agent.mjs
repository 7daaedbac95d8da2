/**
 * The meta agent: improve(ctx) edits the program under ctx.repoDir (this file and meta/ included)
 * to make its descendants better. Returns { strategy: 'llm' | 'offline', summary, turns }.
 * It is this file plus everything under meta/, and imports nothing outside meta/, so freezing or
 * resetting that set freezes or resets all of it.
 *
 * ctx = { repoDir, history (train-split results only), generationsLeft, llm (client or null),
 *         tools: { bash, view, create, strReplace } confined to repoDir,
 *         rng (seeded, next() in [0, 1)), domains, limits: { maxTurns, deadlineMs (epoch ms) },
 *         workspace: { archive, examples: { <domain>: path }, run, readme } (paths in repoDir) or null }
 *
 * Two strategies: with an LLM, a tool-using session that reads the program and its train results
 * and edits any file; without one, offline evolutionary mutation (no LLM) of task/params.json and
 * of its own meta/params.json.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { META_PARAMS_FILE, readJsonFile, TASK_PARAMS_FILE, writeJsonFile } from './meta/params.mjs';
import { mutateParams } from './meta/mutate.mjs';
import { withHelpers } from './meta/rng.mjs';
import { runToolLoop } from './meta/tool_loop.mjs';
import { failedExamplesForPrompt, readExampleSets, summaryForPrompt } from './meta/workspace.mjs';

export const OFFLINE_LABEL = 'offline evolutionary mutation (no LLM)';

export async function improve(ctx) {
  if (ctx.llm) {
    try {
      return await improveWithLlm(ctx);
    } catch (error) {
      if (error?.turns !== 0) throw error;
      // The gateway answered nothing usable before any edit: evolve offline rather than waste the generation.
      return improveOffline(ctx, `the LLM was unreachable (${error?.message ?? error}); `);
    }
  }
  return improveOffline(ctx, '');
}

function improveOffline(ctx, prefix) {
  const rng = withHelpers(ctx.rng);
  const { task, meta, changes } = mutateParams(
    { task: readJsonFile(ctx.repoDir, TASK_PARAMS_FILE), meta: readJsonFile(ctx.repoDir, META_PARAMS_FILE) },
    rng,
    ctx.domains ?? [],
  );
  writeJsonFile(ctx.repoDir, TASK_PARAMS_FILE, task);
  writeJsonFile(ctx.repoDir, META_PARAMS_FILE, meta);
  const metaChanges = changes.filter((c) => c.path.startsWith('meta.'));
  const taskChanges = changes.filter((c) => !c.path.startsWith('meta.'));
  const show = (c) => `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`;
  appendNote(ctx.repoDir, [
    `## Generation note: ${OFFLINE_LABEL}`,
    '',
    `- ${prefix}generations left: ${ctx.generationsLeft}; domains: ${(ctx.domains ?? []).join(', ') || 'all'}`,
    `- train results seen: ${describeHistory(ctx.history)}`,
    `- own mutation parameters (${META_PARAMS_FILE}): ${metaChanges.map(show).join('; ')}`,
    ...taskChanges.slice(0, 30).map((c) => `- ${show(c)}`),
    ...(taskChanges.length > 30 ? [`- ... and ${taskChanges.length - 30} more`] : []),
  ]);
  return {
    strategy: 'offline',
    summary: `${prefix}${OFFLINE_LABEL}: ${taskChanges.length} task-agent parameter(s) changed in ${TASK_PARAMS_FILE} and ${metaChanges.length} of its own mutation parameters in ${META_PARAMS_FILE}`,
    turns: 0,
    changes,
  };
}

async function improveWithLlm(ctx) {
  const settings = readJsonFile(ctx.repoDir, META_PARAMS_FILE).llm ?? {};
  const maxTurns = Math.min(ctx.limits?.maxTurns ?? Infinity, settings.maxTurns ?? 30);
  const deadlineMs = ctx.limits?.deadlineMs ?? Date.now() + 30 * 60_000;
  const result = await runToolLoop({
    llm: ctx.llm,
    tools: ctx.tools,
    messages: await openingMessages(ctx, settings),
    maxTurns,
    deadlineMs,
    temperature: settings.temperature ?? 0.2,
    maxToolOutputChars: settings.maxToolOutputChars ?? 8000,
  });
  const summary = `LLM tool-using session (${result.stop}, ${result.turns} turn(s), ${result.toolCalls} tool call(s)): ${
    result.final?.trim() || 'no final summary'
  }`;
  appendNote(ctx.repoDir, [
    '## Generation note: LLM tool-using session',
    '',
    `- generations left: ${ctx.generationsLeft}; edited: ${result.edited.join(', ') || 'nothing through the editor'}`,
    `- ${summary.replace(/\n+/g, ' ').slice(0, 2000)}`,
  ]);
  return { strategy: 'llm', summary, turns: result.turns, edited: result.edited };
}

async function openingMessages(ctx, settings) {
  const safeView = async (p) => {
    try {
      return await ctx.tools.view(p);
    } catch (error) {
      return `(unavailable: ${error?.message ?? error})`;
    }
  };
  const system = [
    'You are the meta agent of a self-improving program (a "hyperagent"). The program holds a task agent',
    '(task_agent.mjs and task/: its prompts, heuristics and task/params.json), you (meta_agent.mjs and meta/:',
    'your tool loop, offline mutation and meta/params.json), an optional parent selector (select_parent.mjs)',
    'and memory/. Each agent imports only from its own folder. A copy of the whole program is in your working folder;',
    'after you finish, it is evaluated on each domain and kept in an archive; later generations start from it.',
    'Your goal: make the program, including how it improves itself, score higher in future generations.',
    'You may change any file, this meta agent included. Keep the contract: task_agent.mjs exports',
    'async solve(input, ctx) returning { prediction, trace }; meta_agent.mjs exports async improve(ctx);',
    'select_parent.mjs exports selectParent(input) returning { parentId }. A program that fails to load is',
    'discarded, so check your edits with bash (e.g. node --check, or importing the module). Record what you',
    'learned in memory/notes.md. When done, answer without tool calls, with a short summary of your changes.',
    'workspace/ (if present) is written for this session only and never kept: read it, do not edit it.',
  ].join('\n');
  const ws = ctx.workspace;
  const failed = ws
    ? failedExamplesForPrompt(
        readExampleSets(ctx.repoDir, ws),
        settings.failedExamples ?? 3,
        settings.exampleChars ?? 1500,
      )
    : [];
  const user = [
    `Generations left in this run: ${ctx.generationsLeft}. Domains: ${(ctx.domains ?? []).join(', ')}.`,
    '',
    '# Files',
    await safeView('.'),
    '',
    '# README.md',
    await safeView('README.md'),
    '',
    ...(ws
      ? [
          '# Your workspace (train split only)',
          `- ${ws.archive}: the whole archive summary (below, trimmed)`,
          ...Object.entries(ws.examples ?? {}).map(
            ([d, f]) =>
              `- ${f}: the ${d} train tasks of the program you edit: input, its prediction, label, score, details, trace`,
          ),
          `- ${ws.run}: \`node ${ws.run} [--domain d] [--limit n] [--failed]\` runs the task agent as you edited it on`,
          '  those train inputs and prints its predictions (and whether each is right, where scoring is a plain comparison).',
          '',
        ]
      : []),
    "# Train-split results: the lineage of the program you edit (its node, that node's parent, ... the root), then the other nodes, newest first",
    summaryForPrompt(ctx.history, settings.summaryTokenBudget ?? 3000),
    ...(failed.length > 0
      ? ['', '# Train tasks the program you edit got wrong (more in the examples files)', ...failed]
      : []),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function appendNote(repoDir, lines) {
  const dir = path.join(repoDir, 'memory');
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, 'notes.md'), `\n${lines.join('\n')}\n`);
}

/** Mean train score of a history entry: its own `trainMean`, else the mean of its `train` scores. */
function trainMeanOf(entry) {
  if (typeof entry?.trainMean === 'number') return entry.trainMean;
  const values = Object.values(entry?.train ?? {}).filter((x) => typeof x === 'number' && Number.isFinite(x));
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

function describeHistory(history) {
  // The engine sends { nodeId, lineage, nodes: [...] }; a bare array is accepted too.
  const entries = Array.isArray(history) ? history : Array.isArray(history?.nodes) ? history.nodes : null;
  if (!entries || entries.length === 0) return 'none';
  const means = entries.map(trainMeanOf).filter((x) => typeof x === 'number' && Number.isFinite(x));
  const best = means.length > 0 ? `, best train mean ${Math.max(...means).toFixed(4)}` : '';
  return `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${best}`;
}
