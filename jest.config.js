/**
 * Two test tiers, both run by `make test` (after lint, prettier and tsc) against the real stack that
 * `make test` brings up first; nothing is mocked except where a test says so.
 *
 * - `unit` (`npm run test:unit`, under a minute): pure modules, the engine's services over an
 *   in-memory store and scripted sandboxes (test/services), and the workflow logic (test/workflows:
 *   the real workflows on the stack's Temporal dev server with stub activities). Nothing in it
 *   touches S3, Docker, bubblewrap or a sandbox, or runs the engine's real activities.
 * - `e2e` (`npm run test:e2e`): everything else: whatever starts a sandbox, reads or writes S3, runs
 *   an engine run with real activities or drives the stack's processes, and the slower local
 *   suites that run the agent program's harness, the domains' runners or the scripted LLM world.
 *   Its fault-injection suites form a third project, `faults` (FAULTS below), that `make test`
 *   runs beside the other two.
 *
 * The rule: a test file is unit when it matches one of the UNIT globs below, and e2e otherwise. So a
 * new test lands in e2e (the safe side: slower, never skipped) until someone adds it, or its folder,
 * here. Add a test to UNIT only if it needs none of S3, Docker, bubblewrap, a sandbox or real engine
 * activities; a new folder of pure tests is one line. Local but left in e2e: test/layering.test.ts
 * (runs the type-aware ESLint, ~20 s) and test/domains/e2e/ (its folder says what it is).
 */
const UNIT = [
  'activities/**',
  'agent-program/**',
  'config/**',
  'domains/*.test.ts',
  'engine-state/**',
  'evaluation/**',
  'llm/**',
  'selection/**',
  'services/**',
  'util/**',
  'workflows/**',
  'archive/pure.test.ts',
  'bench/report.test.ts',
  'cli/progress.test.ts',
  'console/pages.test.ts',
  'archive/snapshot.test.ts',
  'archive/train-history.test.ts',
  'sandbox/watchdog.test.ts',
  'stack/layout.test.ts',
  'storage/rereads.test.ts',
];
/**
 * The fault-injection suites, which mostly wait (for heartbeat timeouts after each of twenty worker
 * kills, for an outage to pass, for retries and connection timeouts): their own project, which
 * `make test` (test/run.sh) runs in a second jest process beside the other two, so their minutes of
 * waiting overlap the others' work. Each uses its own task queues and worker processes, private
 * state folders or (stack-faults) a private stack, so nothing of theirs meets the other suites'.
 */
const FAULTS = [
  'reliability/worker-kill.test.ts',
  'reliability/stack-faults.test.ts',
  'reliability/two-workers.test.ts',
  'reliability/fleet.test.ts',
  'reliability/llm-faults.test.ts',
  'cli/doctor.test.ts',
];
/** A UNIT entry as a testMatch glob: a folder's `**` means every test file below it. */
const glob = (g) => `<rootDir>/test/${g.endsWith('**') ? `${g}/*.test.ts` : g}`;
/** The same entry as a testPathIgnorePatterns regex (testMatch cannot exclude). */
const regex = (g) =>
  `^<rootDir>/test/${g
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*$/, '\0')
    .replace(/\*/g, '[^/]*')
    .replace('\0', '.*')}$`;

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
};
const typeChecked = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  testTimeout: 120_000,
  // e2e suites share one Docker engine and sandbox resources: one at a time. `npm run test:unit`
  // passes --maxWorkers=2, since unit suites share nothing (private task queues, random run ids).
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/reporters/summary.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: UNIT.map(glob),
      // Transpile only: type-checking each file is most of this tier's time, and `tsc --noEmit`
      // (`npm run typecheck`, `make test`) checks the same files first.
      transform: {
        '^.+\\.ts$': [
          'ts-jest',
          { tsconfig: { ...require('./tsconfig.json').compilerOptions, isolatedModules: true } },
        ],
      },
    },
    {
      ...common,
      displayName: 'e2e',
      // Everything the unit globs do not take, so each test file is in exactly one tier.
      testMatch: [glob('**')],
      testPathIgnorePatterns: ['/node_modules/', ...UNIT.map(regex), ...FAULTS.map(regex)],
      transform: typeChecked,
    },
    { ...common, displayName: 'faults', testMatch: FAULTS.map(glob), transform: typeChecked },
  ],
};
