export { rngFor, rngFromString, drawIndex, cyrb128, sfc32, type Rng } from './rng';
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
  type Method,
  type PolicyName,
  type WeightRule,
} from './policies';
export { selectParent, policy, type Policy, type SelectionResult } from './select';
export {
  EDITABLE_SELECTOR_SCHEMA,
  editableSelectorInput,
  parseEditableOutput,
  resolveEditableChoice,
  type EditableCandidate,
  type EditableSelectorInput,
  type EditableOutcome,
} from './editable';
