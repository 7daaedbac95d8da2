import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * The layering rules of eslint.config.mjs must bite: each case lints a one-line import as if it stood
 * in a real file of that layer, and expects the restriction rule to fire (or not). A config change
 * that silently stops enforcing a rule fails here. ESLint runs in a plain Node process, since its
 * flat config is an ES module that jest's module system cannot load.
 */
const ROOT = path.resolve(__dirname, '..');
const LINT_ALL = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of cases) {
    const [r] = await eslint.lintText(code + '\\nexport {};\\n', { filePath: require('path').resolve(file) });
    out.push(r.messages.some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports'));
  }
  console.log(JSON.stringify(out));
})();
`;

const cases: Array<[string, string, string, boolean]> = [
  [
    'console: not the workflows',
    'src/console/server.ts',
    "import { approveUpdate } from '../../workflows/messages'; void approveUpdate;",
    true,
  ],
  [
    'console: the run operations of the wiring',
    'src/console/server.ts',
    "import { decide } from '../wiring/runOps'; void decide;",
    false,
  ],
  [
    'console: not the CLI',
    'src/console/server.ts',
    "import { safeText } from '../cli/format'; void safeText;",
    true,
  ],
  ['pure core: no fs', 'src/selection/select.ts', "import * as fs from 'fs'; void fs;", true],
  [
    'pure core: no S3 SDK',
    'src/evaluation/scores.ts',
    "import { S3Client } from '@aws-sdk/client-s3'; void S3Client;",
    true,
  ],
  [
    'pure core: not even sandbox types',
    'src/engine/runState.ts',
    "import type { Sandbox } from '../sandbox'; export type X = Sandbox;",
    true,
  ],
  [
    'pure core: not the archive repository',
    'src/archive/views.ts',
    "import { Archive } from './archive'; void Archive;",
    true,
  ],
  [
    'pure core: not the domain registry',
    'src/evaluation/scores.ts',
    "import { DomainRegistry } from '../domains/registry'; void DomainRegistry;",
    true,
  ],
  [
    'pure core: domains/contract is pure',
    'src/evaluation/scores.ts',
    "import { SPLITS } from '../domains/contract'; void SPLITS;",
    false,
  ],
  [
    'services: no child_process',
    'src/engine/generation/select.ts',
    "import { spawn } from 'child_process'; void spawn;",
    true,
  ],
  [
    'services: sandbox types only',
    'src/engine/generation/select.ts',
    "import { DockerSandbox } from '../../sandbox'; void DockerSandbox;",
    true,
  ],
  [
    'services: sandbox types are fine',
    'src/engine/generation/select.ts',
    "import type { Sandbox } from '../../sandbox'; export type X = Sandbox;",
    false,
  ],
  [
    'services: not the wiring',
    'src/engine/generation/select.ts',
    "import { engineDepsFromConfig } from '../../wiring/engineDeps'; void engineDepsFromConfig;",
    true,
  ],
  [
    'activities: no archive values',
    'activities/engine/index.ts',
    "import { Archive } from '../../src/archive'; void Archive;",
    true,
  ],
  [
    'activities: services are fine',
    'activities/engine/index.ts',
    "import { selectParent } from '../../src/engine'; void selectParent;",
    false,
  ],
  ['workflows: no Node modules', 'workflows/generation.ts', "import * as fs from 'fs'; void fs;", true],
  [
    'workflows: no services',
    'workflows/generation.ts',
    "import { selectParent } from '../src/engine'; void selectParent;",
    true,
  ],
  [
    'workflows: no activity values',
    'workflows/generation.ts',
    "import { engineActivities } from '../activities/engine'; void engineActivities;",
    true,
  ],
  [
    'workflows: activity types',
    'workflows/generation.ts',
    "import type { EngineActivities } from '../activities/engine'; export type X = EngineActivities;",
    false,
  ],
  [
    'workflows: pure run state',
    'workflows/generation.ts',
    "import { budgetLeft } from '../src/engine/runState'; void budgetLeft;",
    false,
  ],
  [
    'workflows: the generation steps',
    'workflows/generation.ts',
    "import { runGenerationSteps } from '../src/engine/generationSteps'; void runGenerationSteps;",
    false,
  ],
  [
    'pure core: the generation steps call services, not stores',
    'src/engine/generationSteps.ts',
    "import { Archive } from '../archive/archive'; void Archive;",
    true,
  ],
  [
    'nothing imports the CLI',
    'bench/archive-reads.ts',
    "import { main } from '../src/cli/main'; void main;",
    true,
  ],
  [
    'the engine does not import the CLI',
    'src/engine/evaluateProgram.ts',
    "import { fmt } from '../cli/format'; void fmt;",
    true,
  ],
];

let verdicts: boolean[];
beforeAll(() => {
  const input = JSON.stringify(cases.map(([, file, code]) => [file, code]));
  verdicts = JSON.parse(
    execFileSync(process.execPath, ['-e', LINT_ALL], { cwd: ROOT, input }).toString(),
  ) as boolean[];
}, 120_000);

test.each(cases.map((c, i) => [...c, i] as const))('%s', (_name, _file, _code, expected, i) => {
  expect(verdicts[i]).toBe(expected);
});
