import * as fs from 'node:fs';
import * as path from 'node:path';

/** The modules the runner needs, relative to this folder, without extension. */
export const RUNNER_MODULES: readonly string[] = [
  'runner',
  'evaluate',
  'tasks',
  'rollout',
  'reward-sandbox',
  'rng',
  'policy',
  'cem',
  'envs/types',
  'envs/registry',
  'envs/cartpole',
  'envs/mountain-car',
  'envs/pendulum',
  'envs/acrobot',
];

export const RUNNER_ENTRY = 'runner.js';

/**
 * The runner as plain CommonJS files (relative path -> source) to copy into a sandbox. From a build
 * these are the compiled siblings of this file; under ts-jest (sources are .ts) they are transpiled
 * on the fly with the TypeScript compiler, which is a dev dependency present in that case only.
 */
export function runnerFiles(): Record<string, string> {
  const compiled = __filename.endsWith('.js');
  const files: Record<string, string> = {};
  for (const name of RUNNER_MODULES) {
    if (compiled) {
      files[`${name}.js`] = fs.readFileSync(path.join(__dirname, `${name}.js`), 'utf8');
    } else {
      const ts = require('typescript') as typeof import('typescript');
      const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
      files[`${name}.js`] = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
      }).outputText;
    }
  }
  return files;
}
