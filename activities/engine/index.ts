import { decisionActivities } from './decide';
import type { EngineDeps } from './deps';
import { evaluateActivities } from './evaluate';
import { selfModifyActivities } from './selfModify';

export type { EngineDeps } from './deps';
export type { ChildDraft } from './selfModify';

export function engineActivities(deps: EngineDeps) {
  return { ...selfModifyActivities(deps), ...evaluateActivities(deps), ...decisionActivities(deps) };
}

export type EngineActivities = ReturnType<typeof engineActivities>;
