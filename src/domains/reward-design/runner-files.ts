import * as fs from 'node:fs';
import type * as TypeScript from 'typescript';
import { runsFromBuild, sourceOrBuilt } from '../../host/assets';

/**
 * The modules the runner needs, relative to `src/` (so shared modules such as the seeded generator
 * ship as they are, not as copies), without extension. The sandbox gets the same layout.
 */
export const RUNNER_MODULES: readonly string[] = [
  'domains/reward-design/runner',
  'domains/reward-design/training',
  'domains/reward-design/tasks',
  'domains/reward-design/rollout',
  'domains/reward-design/reward-sandbox',
  'domains/reward-design/policy',
  'domains/reward-design/cem',
  'domains/reward-design/envs/types',
  'domains/reward-design/envs/registry',
  'domains/reward-design/envs/cartpole',
  'domains/reward-design/envs/mountain-car',
  'domains/reward-design/envs/pendulum',
  'domains/reward-design/envs/acrobot',
  'util/hash',
  'util/random',
];

export const RUNNER_ENTRY = 'domains/reward-design/runner.js';

/**
 * The runner as plain CommonJS files (relative path -> source) to copy into a sandbox. From a build
 * these are the build's compiled files; under ts-jest (sources are .ts) they are transpiled
 * on the fly with the TypeScript compiler, which is a dev dependency present in that case only.
 */
export function runnerFiles(): Record<string, string> {
  return compiledModules(RUNNER_MODULES);
}

/**
 * Modules named relative to `src/` without extension, as plain CommonJS by `<name>.js`: the build's
 * compiled files, or (under ts-jest only) the sources transpiled with the TypeScript compiler.
 */
export function compiledModules(names: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of names) {
    const file = sourceOrBuilt(`src/${name}.ts`);
    if (runsFromBuild) {
      files[`${name}.js`] = fs.readFileSync(file, 'utf8');
    } else {
      // Under ts-jest only: the build ships compiled .js, so typescript is needed only in development.
      const ts = require('typescript') as typeof TypeScript;
      const source = fs.readFileSync(file, 'utf8');
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
