/**
 * The LLM path of the task agent: one prompt per domain (a few styles each, chosen in task/params.json)
 * and a parser that turns the reply into the domain's prediction format. A parser returns
 * undefined when the reply is unusable, and the task agent then falls back to its offline path.
 */
import { GRADES } from './heuristics/math_grading.mjs';

const clip = (text, max) => {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max)}\n[... ${s.length - max} characters cut]` : s;
};

/** The last fenced code block of a reply (or of the blocks matching `test`), else undefined. */
export function lastCodeBlock(reply, test = () => true) {
  const blocks = [...String(reply).matchAll(/```[\w-]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.filter(test).pop();
}

/** The last whole-word occurrence of one of `options` in the reply (lower-cased), else undefined. */
export function lastOption(reply, options) {
  const pattern = new RegExp(`\\b(${options.join('|')})\\b`, 'gi');
  const found = [...String(reply).matchAll(pattern)].map((m) => m[1].toLowerCase());
  return found.pop();
}

const PAPER_STYLES = {
  balanced: 'You are an experienced area chair of a top machine-learning conference.',
  skeptical:
    'You are a demanding reviewer of a top machine-learning conference, where most submissions are rejected.',
  checklist:
    'You are an area chair. Judge novelty, technical soundness, empirical evidence and clarity in turn.',
};

const GRADING_STYLES = {
  strict: 'You are an IMO grader. Follow the grading guidelines exactly and be strict about gaps.',
  guideline: 'You are an olympiad grader. Compare the response step by step with the reference solution.',
  lenient: 'You are an olympiad grader. Give credit for correct ideas even when the write-up is rough.',
};

const CODING_STYLES = {
  direct: 'You are an expert JavaScript engineer.',
  careful: 'You are an expert JavaScript engineer. Check every example against your code before answering.',
};

const REWARD_STYLES = {
  shaping: 'You design reward functions for reinforcement learning. Prefer dense, well-scaled shaping.',
  conservative: 'You design reward functions. Keep the default reward and add small, safe shaping terms.',
};

const system = (styles, name, fallback) => styles[name] ?? styles[fallback];

export const PROMPT_STYLES = {
  'paper-review': Object.keys(PAPER_STYLES),
  'math-grading': Object.keys(GRADING_STYLES),
  coding: Object.keys(CODING_STYLES),
  'reward-design': Object.keys(REWARD_STYLES),
};

export const llmDomains = {
  'paper-review': {
    messages: (input, ctx, params) => [
      { role: 'system', content: system(PAPER_STYLES, params.prompt, 'balanced') },
      {
        role: 'user',
        content:
          `Title: ${input.title}\n\nAbstract:\n${clip(input.abstract, 6000)}\n\n` +
          (Array.isArray(input.keywords) ? `Keywords: ${input.keywords.join(', ')}\n\n` : '') +
          (input.fullText ? `Paper (excerpt):\n${clip(input.fullText, 12000)}\n\n` : '') +
          'Was this paper accepted? Think briefly, then end with a line "Decision: accept" or "Decision: reject".',
      },
    ],
    parse: (reply) => lastOption(reply, ['accept', 'reject']),
  },
  'math-grading': {
    messages: (input, ctx, params) => [
      { role: 'system', content: system(GRADING_STYLES, params.prompt, 'strict') },
      {
        role: 'user',
        content:
          `Problem:\n${clip(input.problem, 4000)}\n\nReference solution:\n${clip(input.referenceSolution, 6000)}\n\n` +
          `Grading guidelines:\n${clip(input.gradingGuidelines, 4000)}\n\n` +
          `Response to grade:\n${clip(input.response, 12000)}\n\n` +
          'Grades: incorrect (0 points), partial (1), almost (6), correct (7). ' +
          'Explain briefly, then end with a line "Grade: <grade>".',
      },
    ],
    parse: (reply) => lastOption(reply, GRADES),
  },
  coding: {
    messages: (input, ctx, params) => [
      { role: 'system', content: system(CODING_STYLES, params.prompt, 'direct') },
      {
        role: 'user',
        content:
          `Exercise: ${input.exercise}\n\n${clip(input.description, 8000)}\n\n` +
          `Functions to export: ${JSON.stringify(input.functions)}\n` +
          `Examples: ${clip(JSON.stringify(input.examples), 6000)}\n\n${input.moduleContract ?? ''}\n\n` +
          'Answer with the whole module in one ```javascript code block.',
      },
    ],
    parse: (reply) => {
      const code = lastCodeBlock(reply, (b) => /\bexport\b/.test(b)) ?? lastCodeBlock(reply);
      return code && code.trim() !== '' ? code : undefined;
    },
  },
  'reward-design': {
    messages: (input, ctx, params) => [
      { role: 'system', content: system(REWARD_STYLES, params.prompt, 'shaping') },
      {
        role: 'user',
        content:
          `${input.title}\n\n${input.description}\n\nState fields: ${JSON.stringify(input.stateFields)}\n` +
          `Action: ${JSON.stringify(input.action)}\n\nDefault reward:\n${input.defaultRewardSource}\n\n` +
          `${input.evaluation}\n\nAnswer with the reward source in one \`\`\`javascript code block.`,
      },
    ],
    parse: (reply) => lastCodeBlock(reply, (b) => /function\s+reward\s*\(/.test(b)),
  },
  generic: {
    messages: (input, ctx) => [
      { role: 'system', content: 'You solve tasks exactly as the task description says.' },
      {
        role: 'user',
        content:
          `${ctx.describe ?? ''}\n\nInput:\n${clip(JSON.stringify(input, null, 2), 20000)}\n\n` +
          'Answer with the prediction only: a JSON value, or plain text.',
      },
    ],
    parse: (reply) => {
      const text = String(reply).trim();
      if (text === '') return undefined;
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    },
  },
};
