import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_STAGED, type Domain } from './contract';

/** A domain named in the config: `domainModules: [{ name, module, options? }]`, module a path to a JS module. */
export interface UserDomainEntry {
  readonly name: string;
  readonly module: string;
  /** Passed to a factory export as `options`. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * Built-in domains, loaded lazily so that importing the registry does not load every data set's
 * code. Convention for built-in folders: `src/domains/<name>/index.ts` exports `domain: Domain`.
 */
const BUILTIN_MODULES: Readonly<Record<string, () => unknown>> = {
  'paper-review': (): unknown => require('./paper-review'),
  'math-grading': (): unknown => require('./math-grading'),
  coding: (): unknown => require('./coding'),
  'reward-design': (): unknown => require('./reward-design'),
};
export const BUILTIN_DOMAIN_NAMES: readonly string[] = Object.keys(BUILTIN_MODULES);

export class DomainContractError extends Error {
  override name = 'DomainContractError';
}

/** Checks that `value` implements the contract; fills a missing `staged` with the defaults. */
export function asDomain(value: unknown, source: string): Domain {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) {
    throw new DomainContractError(`${source}: expected a Domain object, got ${describeValue(value)}`);
  }
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.name !== 'string' || candidate.name.length === 0)
    problems.push('`name` must be a non-empty string');
  for (const method of ['describe', 'loadTasks', 'score', 'aggregate']) {
    if (typeof candidate[method] !== 'function') problems.push(`\`${method}\` must be a function`);
  }
  const staged = candidate.staged ?? DEFAULT_STAGED;
  const s = staged as Record<string, unknown>;
  if (typeof s.sampleSize !== 'number' || !(s.sampleSize > 0) || typeof s.gate !== 'number') {
    problems.push('`staged` must be { sampleSize: number > 0, gate: number }');
  }
  if (problems.length > 0) {
    throw new DomainContractError(
      `${source} does not implement the Domain contract (src/domains/contract.ts): ${problems.join('; ')}`,
    );
  }
  if (candidate.staged !== undefined) return value as Domain;
  // Keep the methods bound to the original object (it may be a class instance).
  return new Proxy(value as Domain, {
    get: (target, key, receiver): unknown =>
      key === 'staged' ? DEFAULT_STAGED : Reflect.get(target, key, receiver),
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export class DomainRegistry {
  private readonly domains = new Map<string, Domain>();

  register(domain: Domain, options: { replace?: boolean } = {}): Domain {
    const checked = asDomain(domain, `domain ${JSON.stringify((domain as { name?: unknown })?.name)}`);
    if (!options.replace && (this.domains.has(checked.name) || BUILTIN_DOMAIN_NAMES.includes(checked.name))) {
      throw new Error(`a domain named "${checked.name}" is already registered; choose another name`);
    }
    this.domains.set(checked.name, checked);
    return checked;
  }

  has(name: string): boolean {
    return this.domains.has(name) || name in BUILTIN_MODULES;
  }

  get(name: string): Domain {
    const known = this.domains.get(name);
    if (known) return known;
    const loadBuiltin = BUILTIN_MODULES[name];
    if (!loadBuiltin) {
      throw new Error(
        `unknown domain "${name}"; known: ${this.names().join(', ')}. ` +
          'A user domain must be listed in the config as domainModules: [{ name, module }].',
      );
    }
    let exported: unknown;
    try {
      exported = (loadBuiltin() as { domain?: unknown }).domain;
    } catch (error) {
      throw new Error(`built-in domain "${name}" failed to load: ${(error as Error).message}`);
    }
    const domain = asDomain(exported, `built-in domain "${name}"`);
    this.domains.set(name, domain);
    return domain;
  }

  names(): string[] {
    return [...new Set([...BUILTIN_DOMAIN_NAMES, ...this.domains.keys()])].sort();
  }

  /**
   * Loads and registers the user domains of the config. Relative module paths resolve from `baseDir`
   * (the folder of the config file). The module may export a Domain (as `module.exports`, `default`
   * or `domain`) or a factory (`createDomain`, or a function as `module.exports`/`default`) that is
   * called with `{ name, options }` and returns a Domain or a promise of one.
   */
  async loadUserDomains(entries: readonly UserDomainEntry[], baseDir: string): Promise<Domain[]> {
    const loaded: Domain[] = [];
    for (const entry of entries) loaded.push(this.register(await loadUserDomain(entry, baseDir)));
    return loaded;
  }
}

export async function loadUserDomain(entry: UserDomainEntry, baseDir: string): Promise<Domain> {
  const modulePath = path.resolve(baseDir, entry.module);
  const source = `user domain "${entry.name}" (module ${modulePath})`;
  if (!fs.existsSync(modulePath)) {
    throw new DomainContractError(
      `${source}: the module file does not exist. Fix domains[].module in the config ` +
        `(relative paths resolve from ${baseDir}).`,
    );
  }
  let exported: unknown;
  try {
    exported = require(modulePath);
  } catch (error) {
    throw new DomainContractError(`${source}: the module failed to load: ${(error as Error).message}`);
  }
  const domain = asDomain(await instantiate(exported, entry), source);
  if (domain.name !== entry.name) {
    throw new DomainContractError(
      `${source}: the module's domain is named "${domain.name}" but the config names it "${entry.name}"`,
    );
  }
  return domain;
}

/** A user module's factory: called with the config entry's name and options. */
type DomainFactory = (input: { name: string; options: Readonly<Record<string, unknown>> }) => unknown;

async function instantiate(exported: unknown, entry: UserDomainEntry): Promise<unknown> {
  const factoryInput = { name: entry.name, options: entry.options ?? {} };
  if (typeof exported === 'function') return (exported as DomainFactory)(factoryInput);
  if (typeof exported !== 'object' || exported === null) return exported;
  const e = exported as Record<string, unknown>;
  if (typeof e.createDomain === 'function') return (e.createDomain as DomainFactory)(factoryInput);
  if (typeof e.default === 'function') return (e.default as DomainFactory)(factoryInput);
  if (typeof e.default === 'object' && e.default !== null) return e.default;
  if (typeof e.domain === 'object' && e.domain !== null) return e.domain;
  return exported;
}
