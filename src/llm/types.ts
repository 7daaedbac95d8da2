/** Shapes shared by the gateway's parts. Chat bodies are kept loose: the gateway forwards them. */

/** Who is calling: the meta agent (rewrites the program) or the task agent (solves tasks). */
export type Role = 'meta' | 'task';
export const ROLES: readonly Role[] = ['meta', 'task'];

/** The body of `POST /v1/chat/completions` as received; unknown keys are forwarded untouched. */
export interface ChatBody {
  model?: string;
  messages: unknown[];
  tools?: unknown[];
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  [key: string]: unknown;
}

/** An OpenAI chat completion as returned upstream (only the parts the gateway reads are typed). */
export interface Completion {
  id?: string;
  model?: string;
  choices: unknown[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  [key: string]: unknown;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** Who the calls of one gateway are made for; copied into every log record. */
export interface SessionInfo {
  runId?: string;
  nodeId?: string;
  /** Free text such as `selfModify` or `evaluate:domainX`. */
  purpose?: string;
}
