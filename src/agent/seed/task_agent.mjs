/**
 * The task agent: solve(input, ctx) → { prediction, trace }.
 *
 * ctx = { domain, describe, llm, memoryDir, params }: `llm` is the gateway client (chat, ...) or
 * null; `params` overrides this domain's entry of task/params.json for one batch. With an LLM the
 * agent asks it with the domain's prompt and parses the reply; without one, or when the reply cannot
 * be used, it runs the domain's offline path: the model the meta agent's learner fitted, when this
 * domain's task/params.json section names one (`model`, a file under task/, see task/learned.mjs),
 * else the domain's heuristic, whose knobs all live in task/params.json.
 * The task agent is this file plus everything under task/, and imports nothing outside task/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { llmDomains } from './task/prompts.mjs';
import { reviewPaper } from './task/heuristics/paper_review.mjs';
import { gradeProof } from './task/heuristics/math_grading.mjs';
import { writeStubModule } from './task/heuristics/coding.mjs';
import { writeRewardSource } from './task/heuristics/reward_design.mjs';
import { genericAnswer } from './task/heuristics/generic.mjs';
import { loadModel, predictWithModel } from './task/learned.mjs';

const PROGRAM_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Offline solvers by domain: (input, params, ctx) → { prediction, ...details for the trace }. */
const offline = {
  'paper-review': (input, params) => reviewPaper(input, params),
  'math-grading': (input, params) => gradeProof(input, params),
  coding: (input, params) => {
    const search = [];
    return { prediction: writeStubModule(input, params, search), fallback: params.fallback, search };
  },
  'reward-design': (input, params) => ({ prediction: writeRewardSource(input, params) }),
  generic: (input, params, ctx) => ({ prediction: genericAnswer(ctx.describe, params) }),
};

let cachedParams;
function programParams() {
  // Read here, not through meta/params.mjs: the task agent must not depend on the meta agent's files.
  cachedParams ??= JSON.parse(readFileSync(path.join(PROGRAM_DIR, 'task', 'params.json'), 'utf8'));
  return cachedParams;
}

export async function solve(input, ctx = {}) {
  const key = Object.hasOwn(offline, ctx.domain) ? ctx.domain : 'generic';
  const params = { ...(programParams().domains?.[key] ?? {}), ...(ctx.params ?? {}) };
  const trace = { domain: ctx.domain, solver: key };

  if (ctx.llm && params.useLlm !== false) {
    try {
      const spec = llmDomains[key];
      const completion = await ctx.llm.chat({
        role: 'task',
        messages: spec.messages(input, ctx, params),
        params: { temperature: params.temperature ?? 0 },
      });
      const reply = completion?.choices?.[0]?.message?.content ?? '';
      const prediction = spec.parse(reply);
      if (prediction !== undefined)
        return { prediction, trace: { ...trace, path: 'llm', prompt: params.prompt } };
      trace.llmProblem = `reply not usable: ${JSON.stringify(String(reply).slice(0, 200))}`;
    } catch (error) {
      trace.llmProblem = `LLM call failed: ${error?.message ?? error}`;
    }
  }

  // A model the meta agent's learner fitted (task/params.json names it) answers in place of the heuristic.
  const model =
    typeof params.model === 'string' ? loadModel(path.join(PROGRAM_DIR, 'task'), params.model) : null;
  if (model) {
    const { prediction, probabilities } = predictWithModel(model, input, params.classBias);
    return {
      prediction,
      trace: { ...trace, solver: 'learned', model: params.model, probabilities, path: 'offline' },
    };
  }
  const { prediction, ...details } = offline[key](input, params, ctx);
  return { prediction, trace: { ...trace, ...details, path: 'offline' } };
}
