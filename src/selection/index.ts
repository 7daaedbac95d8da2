export { rngFor } from './rng';
export type { Rng } from '../util/random';
export {
  SelectionError,
  rankEligible,
  type Candidate,
  type SelectionSnapshot,
  type Ranked,
} from './snapshot';
export {
  SELECTION_POLICIES,
  DEFAULT_POLICY,
  isPolicyName,
  sigmoid,
  topThreeMidpoint,
  weightRules,
  METHOD_POLICIES,
  METHODS,
  SELECTION_RULES,
  type Method,
  type SelectionRule,
  type PolicyName,
  type WeightRule,
} from './policies';
export { selectParent, startNodeFallback, policy, type Policy, type SelectionResult } from './select';
export {
  EDITABLE_SELECTOR_SCHEMA,
  editableSelectorInput,
  parseEditableOutput,
  resolveEditableChoice,
  type EditableCandidate,
  type EditableSelectorInput,
  type EditableOutcome,
} from './editable';
