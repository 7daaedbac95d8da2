export * from './types';
export * from './runState';
export { runGenerationSteps, type GenerationServices } from './generationSteps';
export { numericSeed, sizesFor } from './seeds';
export {
  runConfigSchema,
  parseRunConfig,
  RunConfigError,
  evaluationConcurrency,
  DEFAULT_EVALUATION_CONCURRENCY,
  type RunConfigInput,
} from './runConfig';
export type { EngineDeps, LlmSessionRequest, OpenLlmSession } from './deps';
export * from './generation';
export {
  evaluateProgram,
  selectTasks,
  type EvalRequest,
  type EvalReport,
  type EvalOptions,
} from './evaluateProgram';
export { runSplit, type SplitRun } from './splitEvaluation';
export { storeRoundTrip, sandboxHello, type SmokeDeps } from './smoke';
export { recordedSpend, type SpendScope } from './spend';
export {
  promote,
  promotionRefusal,
  listReleases,
  readRelease,
  PromotionRefused,
  ReleaseError,
  CLAIM_STALE_MS,
  type PromoteDeps,
  type PromoteRequest,
  type ReleaseManifest,
  type ReleaseApproval,
  type Release,
} from './promote';
