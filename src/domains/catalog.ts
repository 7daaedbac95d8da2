import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoize } from '../util/concurrency';
import type { Domain, LoadedTasks, LoadOptions } from './contract';
import { DomainRegistry, type UserDomainEntry } from './registry';

/**
 * Built-in domains whose loader ignores `LoadOptions.dataFile` (the contract has no flag for it):
 * refusing a data file beats silently evaluating on the configured data instead.
 */
const NO_GENERIC_FORMAT: Readonly<Record<string, string>> = {
  coding: "it reads Exercism's problem-specifications folder (set dataDir / HYPERAGENTS_DATA_DIR instead)",
  'reward-design': 'its tasks are built in (src/domains/reward-design/tasks.ts)',
};

/** Domains by name and their task sets: what the engine, `hyperagents eval` and the benches share. */
export interface DomainCatalog {
  domain(name: string): Domain;
  /** The configured data set, loaded once per process per (domain, seed, sizes). */
  tasks(domain: Domain, seed: number, sizes?: LoadOptions['sizes']): Promise<LoadedTasks>;
  /** A user's file in the domain's generic format (checked readable first). */
  tasksFromFile(domain: Domain, file: string, seed: number): Promise<LoadedTasks>;
}

export interface CatalogOptions {
  /** The config's user domains; relative module paths resolve from `baseDir`. */
  readonly domainModules: readonly UserDomainEntry[];
  readonly baseDir: string;
  readonly dataDir?: string;
}

export async function createDomainCatalog(options: CatalogOptions): Promise<DomainCatalog> {
  const registry = new DomainRegistry();
  await registry.loadUserDomains(options.domainModules, options.baseDir);
  const tasks = memoize(
    (k: { domain: Domain; seed: number; sizes: LoadOptions['sizes'] }): Promise<LoadedTasks> =>
      k.domain.loadTasks({ seed: k.seed, sizes: k.sizes, dataDir: options.dataDir }),
    (k) => JSON.stringify([k.domain.name, k.seed, k.sizes]),
  );
  return {
    domain: (name) => registry.get(name),
    tasks: (domain, seed, sizes) => tasks({ domain, seed, sizes }),
    tasksFromFile: async (domain, file, seed) => {
      const why = NO_GENERIC_FORMAT[domain.name];
      if (why) throw new Error(`--data: domain ${domain.name} has no generic data file format; ${why}`);
      const abs = path.resolve(file);
      try {
        fs.accessSync(abs, fs.constants.R_OK);
        if (!fs.statSync(abs).isFile()) throw new Error('not a file');
      } catch (e) {
        throw new Error(`cannot read data file ${abs}: ${(e as Error).message}`);
      }
      return domain.loadTasks({ seed, dataFile: abs, dataDir: options.dataDir });
    },
  };
}
