import { sandboxHello, storeRoundTrip, type SmokeDeps } from '../src/engine';

/** The smoke workflow's activities: adapters over src/engine/smoke.ts. */
export function smokeActivities(deps: SmokeDeps) {
  return {
    storeRoundTrip: (runId: string) => storeRoundTrip(deps, runId),
    sandboxHello: () => sandboxHello(deps),
  };
}

export type SmokeActivities = ReturnType<typeof smokeActivities>;
