import { BUILTIN_DOMAIN_NAMES, type DomainCatalog } from '../domains';
import { numericSeed, sizesFor, type RunConfig } from '../engine';

/**
 * The run's domains, each checked to load. Named explicitly: any failure stops the run with the
 * loader's message. Not named: every built-in whose data is available, and a note for the others.
 */
export async function resolveDomains(
  catalog: DomainCatalog,
  config: RunConfig,
  explicit: boolean,
  say: (msg: string) => void,
): Promise<string[]> {
  const names = explicit ? config.domains : [...BUILTIN_DOMAIN_NAMES];
  const ok: string[] = [];
  for (const name of names) {
    try {
      await catalog.tasks(catalog.domain(name), numericSeed(config.seed), sizesFor(config, name));
      ok.push(name);
    } catch (e) {
      if (explicit) throw new Error(`domain ${name}: ${(e as Error).message}`);
      // The first sentence: what is missing; `--domains <name>` gives the whole message.
      say(`skipping domain ${name}: ${(e as Error).message.split('. ')[0]}`);
    }
  }
  if (ok.length === 0)
    throw new Error('no domain has its data available; set HYPERAGENTS_DATA_DIR (see README)');
  return ok;
}
