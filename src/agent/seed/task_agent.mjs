/**
 * The task agent: solve(input, ctx) → { prediction, trace }.
 *
 * ctx = { domain, describe, llm, memoryDir, params }: `llm` is the gateway client (chat, ...) or
 * null; `params` overrides this domain's entry of params.json for one batch. With an LLM the agent
 * asks it with the domain's prompt and parses the reply; without one, or when the reply cannot be
 * used, it runs the domain's offline heuristic, whose knobs all live in params.json.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readParams } from './lib/params.mjs';
import { llmDomains } from './lib/prompts.mjs';
import { reviewPaper } from './lib/heuristics/paper_review.mjs';
import { gradeProof } from './lib/heuristics/math_grading.mjs';
import { writeStubModule } from './lib/heuristics/coding.mjs';
import { writeRewardSource } from './lib/heuristics/reward_design.mjs';
import { genericAnswer } from './lib/heuristics/generic.mjs';

const PROGRAM_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Offline solvers by domain: (input, params, ctx) → { prediction, ...details for the trace }. */
const offline = {
  'paper-review': (input, params) => reviewPaper(input, params),
  'math-grading': (input, params) => gradeProof(input, params),
  coding: (input, params) => ({ prediction: writeStubModule(input, params), fallback: params.fallback }),
  'reward-design': (input, params) => ({ prediction: writeRewardSource(input, params) }),
  generic: (input, params, ctx) => ({ prediction: genericAnswer(ctx.describe, params) }),
};

let cachedParams;
function programParams() {
  cachedParams ??= readParams(PROGRAM_DIR);
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

  const { prediction, ...details } = offline[key](input, params, ctx);
  return { prediction, trace: { ...trace, ...details, path: 'offline' } };
}
