import type { Domain, LoadedTasks } from '../domains';
import { BUILTIN_DOMAIN_NAMES } from '../domains';
import { numericSeed, sizesFor, type RunConfig, type SplitSizes } from '../engine';

interface DomainAccess {
  domain: (name: string) => Domain;
  tasks: (domain: Domain, seed: number, sizes: SplitSizes | undefined) => Promise<LoadedTasks>;
}

/**
 * The run's domains, each checked to load. Named explicitly: any failure stops the run with the
 * loader's message. Not named: every built-in whose data is available, and a note for the others.
 */
export async function resolveDomains(
  access: DomainAccess,
  config: RunConfig,
  explicit: boolean,
  say: (msg: string) => void,
): Promise<string[]> {
  const names = explicit ? config.domains : [...BUILTIN_DOMAIN_NAMES];
  const ok: string[] = [];
  for (const name of names) {
    try {
      await access.tasks(access.domain(name), numericSeed(config.seed), sizesFor(config, name));
      ok.push(name);
    } catch (e) {
      if (explicit) throw new Error(`domain ${name}: ${(e as Error).message}`);
      say(`skipping domain ${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (ok.length === 0)
    throw new Error('no domain has its data available; set HYPERAGENTS_DATA_DIR (see README)');
  return ok;
}
