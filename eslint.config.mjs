import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/*
 * The layering rules (CONTRIBUTING.md, docs/architecture.md "Module map"), enforced here so that
 * `make test` fails when one is broken; test/layering.test.ts proves each rule bites.
 */

/** Modules that do I/O: none of them may be imported by the pure core or the services. */
const IO_MODULES = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'openai',
  'dockerode',
];
const io = {
  paths: IO_MODULES.map((name) => ({
    name,
    message: 'I/O belongs behind an interface (src/engine/deps.ts) or in src/wiring.',
  })),
};
const ioPatterns = [
  { group: ['@aws-sdk/*'], message: 'S3 is reached through src/storage, behind the ObjectStore interface.' },
];

/** The I/O layers by folder, as relative import patterns from anywhere under src/. */
const IO_LAYERS = ['**/sandbox', '**/sandbox/*', '**/llm', '**/llm/*', '**/storage', '**/storage/*'];
/** What only the composition root, the CLI and the worker may import. */
const OUTER_LAYERS = [
  '**/devstack',
  '**/devstack/*',
  '**/wiring/*',
  '**/cli/*',
  '**/temporal/*',
  '**/activities',
  '**/activities/*',
  '**/workflows',
  '**/workflows/*',
];

/** The pure core: selection, evaluation, utilities, run state and the archive's keys, records and views. */
const PURE_CORE = [
  'src/selection/**/*.ts',
  'src/evaluation/**/*.ts',
  'src/util/**/*.ts',
  'src/report/**/*.ts',
  'src/engine/types.ts',
  'src/engine/runState.ts',
  'src/engine/generationSteps.ts',
  'src/engine/runConfig.ts',
  'src/engine/seeds.ts',
  'src/archive/keys.ts',
  'src/archive/record.ts',
  'src/archive/views.ts',
  'src/archive/changes.ts',
];

const noCli = {
  group: ['**/cli', '**/cli/*'],
  message: 'Nothing outside the CLI imports from src/cli; shared logic lives in src/engine or src/wiring.',
};

/** One layer's rule: no I/O module, nothing from the CLI, and the layer's own patterns. */
function layer(files, patterns, { ignores = [], allowIo = false } = {}) {
  const restriction = allowIo
    ? { patterns: [noCli, ...patterns] }
    : { ...io, patterns: [...ioPatterns, noCli, ...patterns] };
  return { files, ignores, rules: { '@typescript-eslint/no-restricted-imports': ['error', restriction] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.hyperagents/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // Type-aware rules (floating promises, unsafe any, type-only imports) for the TypeScript project.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // An async method that implements a Promise-returning interface (ObjectStore, CallLog,
      // Domain.loadTasks) without awaiting keeps its throws as rejections; that is intended.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  layer(['src/**/*.ts', 'bench/**/*.ts', 'temporal/**/*.ts'], [], { ignores: ['src/cli/**'], allowIo: true }),
  layer(
    ['src/engine/**/*.ts'],
    [
      {
        group: IO_LAYERS,
        allowTypeImports: true,
        message:
          'Services reach the sandbox, the LLM and storage through EngineDeps (src/engine/deps.ts): types only.',
      },
      { group: OUTER_LAYERS, message: 'Services do not depend on the wiring, the worker or the workflows.' },
    ],
    { ignores: PURE_CORE },
  ),
  layer(PURE_CORE, [
    {
      group: [...IO_LAYERS, ...OUTER_LAYERS],
      message: 'The pure core imports no I/O layer, not even its types.',
    },
    {
      // Outside its own folder, the core reaches only these pure modules.
      regex:
        '^(?!\\.\\./(domains/contract|archive/(keys|record|views|changes)|engine/(types|runState|runConfig|seeds)|selection(/.*)?|evaluation(/.*)?|util/.*)$)\\.\\./',
      message:
        'The pure core imports pure modules only (domains/contract, archive keys/records/views/changes, engine state, util).',
    },
    { regex: '^\\./(archive|index)?$', message: 'The archive repository (src/archive/archive.ts) does I/O.' },
  ]),
  layer(
    ['src/console/**/*.ts'],
    [
      {
        group: [
          '**/workflows',
          '**/workflows/*',
          '**/activities',
          '**/activities/*',
          '**/temporal/*',
          '**/devstack',
          '**/devstack/*',
        ],
        message:
          'The console is an adapter like the CLI: it reaches runs through src/wiring (runOps, ConsoleBackend) and src/engine, never the workflows, activities, worker or stack.',
      },
    ],
    { allowIo: true },
  ),
  layer(
    ['activities/**/*.ts'],
    [
      {
        regex: '^(\\.\\./)+src/(?!engine$)',
        allowTypeImports: true,
        message: 'Activities are adapters over the services of src/engine: heartbeat, cancellation, errors.',
      },
    ],
  ),
  layer(
    ['workflows/**/*.ts'],
    [
      {
        // Anything but the SDK, sibling workflow modules, the pure engine state and steps, keys and util, activity types.
        regex:
          '^(?!@temporalio/(workflow|common)$|\\./|\\.\\./src/engine/(types|runState|generationSteps)$|\\.\\./src/archive/keys$|\\.\\./src/util/|\\.\\./activities(/|$))',
        message:
          'Workflows import only @temporalio/workflow (and common), pure engine modules and activity types.',
      },
      {
        regex: '^\\.\\./activities(/|$)',
        allowTypeImports: true,
        message: 'Workflows import activity types only (proxyActivities<EngineActivities>).',
      },
    ],
  ),
  {
    // jest's matchers take methods unbound (`expect(stub.method).toHaveBeenCalled()`).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Plain JavaScript (the agent program, the harness, scripts) is not in the TypeScript project.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
