import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../src/host/assets';

/** The parity example domain, as a user registers it. */
export const PARITY_EXAMPLE = path.join(projectRoot, 'examples', 'domains', 'parity.js');

/**
 * A config file in a fresh temporary folder registering the `parity` user domain from `module`,
 * and an environment for the built CLI (or an in-process worker) that uses it.
 */
export function parityConfig(
  prefix: string,
  module = PARITY_EXAMPLE,
): { configFile: string; env: NodeJS.ProcessEnv; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const configFile = path.join(dir, 'hyperagents.config.json');
  fs.writeFileSync(configFile, JSON.stringify({ domainModules: [{ name: 'parity', module }] }));
  return {
    configFile,
    env: { ...process.env, HYPERAGENTS_CONFIG: configFile },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
