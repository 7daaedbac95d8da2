import type { Archive } from '../../src/archive';
import type { Domain, LoadedTasks } from '../../src/domains';
import type { LoadedConfig } from '../../src/config';
import type { Sandbox, SandboxLimits } from '../../src/sandbox';
import type { SplitSizes } from '../../src/engine';
import type { ObjectStore } from '../../src/storage';

/** What the engine's activities need from the world; the worker builds it, tests can too. */
export interface EngineDeps {
  config: LoadedConfig;
  archive: Archive;
  store: ObjectStore;
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
  domain: (name: string) => Domain;
  /** Loaded once per worker process per (domain, seed, sizes). */
  tasks: (domain: Domain, seed: number, sizes: SplitSizes | undefined) => Promise<LoadedTasks>;
}

/** A failure caused by the agent program (bad code, time-outs): recorded on the node, never retried. */
export const AGENT_FAULT = 'AgentFault';

export function memoize<K, V>(make: (key: K) => V, keyOf: (key: K) => string = String): (key: K) => V {
  const cache = new Map<string, V>();
  return (key: K) => {
    const k = keyOf(key);
    if (!cache.has(k)) cache.set(k, make(key));
    return cache.get(k)!;
  };
}
