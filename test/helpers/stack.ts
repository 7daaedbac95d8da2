import { loadConfig, type LoadedConfig } from '../../src/config';

/**
 * The configuration of the stack that `make test` brought up (`hyperagents dev up`). Tests use the
 * real services it runs; nothing here is mocked.
 */
export function stackConfig(): LoadedConfig {
  return loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '' } });
}
