export {
  rankingScore,
  missingDomains,
  meanRankingScore,
  trainScoresOf,
  type DomainScore,
  type DomainScores,
} from './scores';
export {
  stagedPlan,
  passesGate,
  finalScore,
  DEFAULT_SAMPLE_SIZE,
  DEFAULT_GATE,
  type RandomSource,
  type SplitResult,
  type FinalScoreInput,
  type FinalScore,
} from './staged';
export {
  aggregateTaskScores,
  toDomainScores,
  type TaskResult,
  type Aggregator,
  type DomainMetrics,
  type EvalSplit,
} from './aggregate';
export { eligibility, type EligibilityInput, type Eligibility } from './eligibility';
export { evaluateSplit, type BatchRunner, type SplitReport, type TaskAnswer } from './evaluateSplit';
