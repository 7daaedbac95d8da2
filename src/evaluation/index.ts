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
  type SplitResult,
  type FinalScoreInput,
  type FinalScore,
} from './staged';
export { eligibility, type EligibilityInput, type Eligibility } from './eligibility';
export {
  evaluateSplit,
  scoreAnswers,
  stagedScoreOf,
  stagedReport,
  fullReport,
  inSplitOrder,
  answerSource,
  BatchCutShortError,
  type TaskResult,
  type AnswerSource,
  type BatchRunner,
  type SplitReport,
  type TaskAnswer,
} from './evaluateSplit';
