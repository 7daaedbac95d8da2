/** The LLM gateway: what the worker starts per sandbox session, and the pieces it is built from. */
import { sourceOrBuilt } from '../host/assets';

export {
  DEFAULT_GATEWAY_LIMITS,
  DEFAULT_MAX_COMPLETION_TOKENS,
  LlmGateway,
  noRefusals,
  upstreamFromConfig,
  type GatewayLimits,
  type GatewayOptions,
  type GatewayRefusals,
} from './gateway';
export { FORWARDED_KEYS, ROLE_HEADER, NO_ENDPOINT_MESSAGE } from './chat-call';
export { BudgetLedger, isRefusal, type BudgetLimits, type BudgetSnapshot, type Spend } from './budget';
export {
  InMemoryCallLog,
  TallyingCallLog,
  type CallLog,
  type CallRecord,
  type CallOutcome,
  type CallTally,
} from './call-log';
export { InMemoryReplaySource, replaySourceFromRecords, type ReplaySource } from './replay';
export { costUsd, estimateTokens, priceTableSchema, type ModelPrice, type PriceTable } from './pricing';
export { requestHash } from './request-hash';
export { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryDeps, type RetryPolicy } from './retry';
export { type UpstreamConfig, type Upstream } from './upstream';
export { ROLES, type Role, type ChatBody, type Completion, type SessionInfo, type TokenUsage } from './types';

/** Environment variable through which agent programs find the gateway's socket inside the sandbox. */
export const LLM_SOCKET_ENV = 'HYPERAGENTS_LLM_SOCKET';

/** Absolute path of the dependency-free client copied into sandboxes next to the agent program. */
export const AGENT_CLIENT_PATH = sourceOrBuilt('src/llm/agent-client.mjs');
export { ObjectStoreCallLog, readCallLog, spendOf } from './objectStoreCallLog';
export { openGatewaySession, rolesForPurpose, type GatewaySession } from './session';
