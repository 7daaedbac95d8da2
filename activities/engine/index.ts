import { ApplicationFailure } from '@temporalio/activity';
import { decisionActivities } from './decide';
import type { EngineDeps } from './deps';
import { evaluateActivities } from './evaluate';
import { selfModifyActivities } from './selfModify';

export type { EngineDeps } from './deps';
export type { ChildDraft } from './selfModify';

export function engineActivities(raw: EngineDeps) {
  // Missing data does not fix itself on retry: fail the activity for good, with the loader's message.
  const deps: EngineDeps = {
    ...raw,
    tasks: (domain, seed, sizes) =>
      raw.tasks(domain, seed, sizes).catch((e: unknown) => {
        if ((e as Error).name === 'DataUnavailableError') {
          throw ApplicationFailure.nonRetryable((e as Error).message, 'DataUnavailableError');
        }
        throw e;
      }),
  };
  return { ...selfModifyActivities(deps), ...evaluateActivities(deps), ...decisionActivities(deps) };
}

export type EngineActivities = ReturnType<typeof engineActivities>;
