/**
 * The meta agent: improve(ctx) edits the program under ctx.repoDir (this file and meta/ included)
 * to make its descendants better. Returns { strategy: 'llm' | 'offline', summary, turns }.
 * It is this file plus everything under meta/, and imports nothing outside meta/, so freezing or
 * resetting that set freezes or resets all of it.
 *
 * ctx = { repoDir, history (train-split results only), generationsLeft, llm (client or null),
 *         tools: { bash, view, create, strReplace } confined to repoDir,
 *         rng (seeded, next() in [0, 1)), domains, limits: { maxTurns, deadlineMs (epoch ms) },
 *         workspace: { archive, examples: { <domain>: path }, run, readme, rewardDesign? } (paths in repoDir) or null }
 *
 * With an LLM, a tool-using session that reads the program and its train results and edits any
 * file. Without one, two offline strategies (no LLM), chosen per domain by meta/params.json
 * `learner.rate`: the learner (meta/learn/) fits a model of a classification domain on the
 * workspace's train examples for the task agent (task/models/<domain>.json), and for reward design
 * searches the reward weights against the train tasks with the workspace's simulator (by
 * `learner.rewardDesign.rate`, kept only when it beats the parent on train); otherwise evolutionary
 * mutation of task/params.json. Both self-adapt the meta agent's own meta/params.json.
 */
import { META_PARAMS_FILE, readJsonFile, TASK_PARAMS_FILE, writeJsonFile } from './meta/params.mjs';
import { LEARNABLE, learnDomain } from './meta/learn/learner.mjs';
import { learnRewardDesign, REWARD_DESIGN } from './meta/learn/reward_design.mjs';
import { appendNote } from './meta/notes.mjs';
import { mutateLearner, mutateParams, mutateRewardLearner } from './meta/mutate.mjs';
import { withHelpers } from './meta/rng.mjs';
import { runToolLoop } from './meta/tool_loop.mjs';
import { failedExamplesForPrompt, readExampleSets, summaryForPrompt } from './meta/workspace.mjs';

export const OFFLINE_LABEL = 'offline evolutionary mutation (no LLM)';
export const LEARNER_LABEL = 'offline learner (no LLM)';

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

async function improveOffline(ctx, prefix) {
  const rng = withHelpers(ctx.rng);
  const domains = ctx.domains ?? [];
  let taskParams = readJsonFile(ctx.repoDir, TASK_PARAMS_FILE);
  const metaParams = readJsonFile(ctx.repoDir, META_PARAMS_FILE);

  // The learner's settings self-adapt first, then decide, per learnable domain with train examples,
  // whether this generation fits a model (the learner) or mutates the task agent's parameters.
  const learnable = domains.filter((d) => LEARNABLE.includes(d));
  const learnerChanges = mutateLearner(metaParams, rng, learnable);
  const chosen = learnable.filter(
    (d) => ctx.workspace?.examples?.[d] && rng.next() < (metaParams.learner?.rate ?? 0),
  );
  const learned = [];
  for (const d of chosen) {
    const section = taskParams.domains?.[d] ?? {};
    // A learner that fails (say, on a task/learned.mjs an earlier session broke) leaves the domain to mutation.
    const out = await learnDomain({
      repoDir: ctx.repoDir,
      domain: d,
      examplesFile: ctx.workspace.examples[d],
      taskParams: section,
      settings: metaParams.learner.domains?.[d] ?? {},
      folds: metaParams.learner.folds,
      rng,
    }).catch((error) => ({ skipped: `the learner failed: ${error?.message ?? error}` }));
    if (out.skipped) {
      learned.push({ domain: d, skipped: out.skipped });
      continue;
    }
    taskParams = JSON.parse(JSON.stringify(taskParams));
    taskParams.domains[d] = {
      ...section,
      model: out.file,
      classBias: Object.fromEntries(out.fit.classes.map(([c]) => [c, section.classBias?.[c] ?? 0])),
    };
    learned.push({ domain: d, file: out.file, fit: out.fit });
  }
  // Reward design: a search of the reward weights against the train tasks, kept only when it matches
  // or beats the parent there in full training; otherwise the domain is left to mutation.
  if (domains.includes(REWARD_DESIGN)) {
    learnerChanges.push(...mutateRewardLearner(metaParams, rng));
    const settings = metaParams.learner?.rewardDesign;
    if (settings && ctx.workspace?.rewardDesign && rng.next() < (settings.rate ?? 0)) {
      const out = await learnRewardDesign({
        repoDir: ctx.repoDir,
        workspace: ctx.workspace,
        params: settings,
        rng,
        deadlineMs: ctx.limits?.deadlineMs,
      }).catch((error) => ({ skipped: `the reward learner failed: ${error?.message ?? error}` }));
      if (out.skipped) learned.push({ domain: REWARD_DESIGN, skipped: out.skipped });
      else if (!out.report.accepted)
        learned.push({
          domain: REWARD_DESIGN,
          skipped: `no candidate beat the parent (${describeSearch(out.report)})`,
        });
      else {
        taskParams = JSON.parse(JSON.stringify(taskParams));
        taskParams.domains[REWARD_DESIGN] = out.params;
        learned.push({ domain: REWARD_DESIGN, search: out.report });
      }
    }
  }
  const fitted = learned.filter((l) => l.fit || l.search);
  const skip = fitted.map((l) => l.domain);

  const mutated =
    domains.length > 0 && skip.length === domains.length
      ? selfAdaptOnly(taskParams, metaParams, rng)
      : mutateParams({ task: taskParams, meta: metaParams }, rng, domains, skip);
  const { task, meta } = mutated;
  const changes = [...learnerChanges, ...mutated.changes];
  writeJsonFile(ctx.repoDir, TASK_PARAMS_FILE, task);
  writeJsonFile(ctx.repoDir, META_PARAMS_FILE, meta);
  const metaChanges = changes.filter((c) => c.path.startsWith('meta.'));
  const taskChanges = changes.filter((c) => !c.path.startsWith('meta.'));
  const show = (c) => `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`;
  const learnedLines = learned.map((l) =>
    l.fit
      ? `${LEARNER_LABEL}: ${describeFit(l)}`
      : l.search
        ? `${LEARNER_LABEL}: ${l.domain}: searched reward weights (${describeSearch(l.search)})`
        : `${LEARNER_LABEL}: ${l.domain} skipped (${l.skipped})`,
  );
  appendNote(ctx.repoDir, [
    `## Generation note: ${fitted.length > 0 ? `${LEARNER_LABEL} and ` : ''}${OFFLINE_LABEL}`,
    '',
    `- ${prefix}generations left: ${ctx.generationsLeft}; domains: ${domains.join(', ') || 'all'}`,
    `- train results seen: ${describeHistory(ctx.history)}`,
    ...learnedLines.map((l) => `- ${l}`),
    `- own mutation parameters (${META_PARAMS_FILE}): ${metaChanges.map(show).join('; ')}`,
    ...taskChanges.slice(0, 30).map((c) => `- ${show(c)}`),
    ...(taskChanges.length > 30 ? [`- ... and ${taskChanges.length - 30} more`] : []),
  ]);
  const mutatedDomains = domains.filter((d) => !skip.includes(d));
  return {
    strategy: 'offline',
    summary: [
      prefix,
      ...learnedLines.map((l) => `${l}; `),
      domains.length > 0 && mutatedDomains.length === 0
        ? `${OFFLINE_LABEL} of its own parameters only: ${metaChanges.length} in ${META_PARAMS_FILE}`
        : `${OFFLINE_LABEL}: ${taskChanges.length} task-agent parameter(s) changed in ${TASK_PARAMS_FILE} and ${metaChanges.length} of its own mutation parameters in ${META_PARAMS_FILE}`,
    ].join(''),
    turns: 0,
    changes,
    learned,
  };
}

/** The self-adaptation of mutateParams without mutating any task-agent section (all were learned). */
function selfAdaptOnly(task, meta, rng) {
  const out = mutateParams({ task: { domains: {} }, meta }, rng, []);
  return { task, meta: out.meta, changes: out.changes };
}

function describeSearch(report) {
  return (
    `${report.candidates} candidate(s) on the train tasks, train ${report.parentTrain} → ${report.bestTrain} ` +
    `(${report.scoredAt} training), ${Math.round(report.ms / 100) / 10} s`
  );
}

function describeFit({ domain, file, fit }) {
  return (
    `${domain}: fitted ${fit.model === 'nb' ? 'naive Bayes' : 'logistic regression'} (task/${file}) on ` +
    `${fit.examples} train examples, features ${fit.families.join('+')} (${fit.features} weighted, vocabulary ` +
    `${fit.vocab}), internal ${fit.folds}-fold CV accuracy ${fit.cvAccuracy} (train ${fit.trainAccuracy})` +
    (fit.ensembled > 0 ? `, ensembled with ${fit.ensembled} model(s) of the parent` : '')
  );
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
