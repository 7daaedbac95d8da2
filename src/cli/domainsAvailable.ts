import { BUILTIN_DOMAIN_NAMES, type DomainCatalog } from '../domains';
import { DataUnavailableError } from '../domains/data';
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
      // One line: what to provide where; `--domains <name>` gives the whole message.
      say(`skipping domain ${name}: ${skipReason(name, e)}`);
    }
  }
  if (ok.length === 0)
    throw new Error('no domain has its data available; set HYPERAGENTS_DATA_DIR (see README)');
  return ok;
}

/** The first few of a list and how many more. */
function few(items: readonly string[], shown = 3): string {
  const more = items.length - shown;
  return more > 0 ? `${items.slice(0, shown).join(', ')} and ${more} more` : items.join(', ');
}

/**
 * Why a built-in domain is skipped, in a line: for missing data, the folder and files to provide
 * (under HYPERAGENTS_DATA_DIR / dataDir, laid out as README "Domain data" says); else the loader's
 * first sentence.
 */
export function skipReason(name: string, e: unknown): string {
  if (e instanceof DataUnavailableError && e.provide) {
    const { folder, files, dataDir } = e.provide;
    const where = dataDir
      ? `${dataDir.replace(/\/+$/, '')}/${folder}/`
      : `$HYPERAGENTS_DATA_DIR/${folder}/ (HYPERAGENTS_DATA_DIR or dataDir is not set)`;
    return `no data: put ${few(files)} in ${where}; README "Domain data" shows the layout, \`--domains ${name}\` the other ways`;
  }
  return (e as Error).message.split('. ')[0] ?? String(e);
}
