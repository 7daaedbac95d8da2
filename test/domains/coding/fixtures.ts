/** Shared test helpers: the real data mirror and hand-written solution modules (ESM source). */
import * as path from 'path';
import {
  DEFAULT_HARNESS_LIMITS,
  FileExerciseSource,
  harnessExercise,
  runHarness,
  type HarnessFailure,
  type HarnessLimits,
  type HarnessResponse,
  type HiddenCase,
} from '../../../src/domains/coding';
import { localProcessRunner } from '../../../src/domains/reward-design/local-runner';

export const dataDir =
  process.env.HYPERAGENTS_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
export const source = new FileExerciseSource(path.join(dataDir, 'coding'));

export const hammingCorrect = `
export function distance(strand1, strand2) {
  if (strand1.length !== strand2.length) throw new Error('strands must be of equal length');
  let d = 0;
  for (let i = 0; i < strand1.length; i++) if (strand1[i] !== strand2[i]) d++;
  return d;
}`;

/** Counts over the shorter strand and never throws. */
export const hammingNoValidation = `
export function distance(strand1, strand2) {
  let d = 0;
  for (let i = 0; i < Math.min(strand1.length, strand2.length); i++) if (strand1[i] !== strand2[i]) d++;
  return d;
}`;

/** Correct, except that it never returns for one input. */
export const hammingLoopsOnce = `
export function distance(strand1, strand2) {
  if (strand1 === 'AATG') for (;;) {}
  if (strand1.length !== strand2.length) throw new Error('strands must be of equal length');
  let d = 0;
  for (let i = 0; i < strand1.length; i++) if (strand1[i] !== strand2[i]) d++;
  return d;
}`;

/** Correct conversion; the error messages differ from the canonical ones. */
export const allYourBaseWrongMessages = `
export function rebase(inputBase, digits, outputBase) {
  if (inputBase < 2) throw new Error('bad input base');
  if (outputBase < 2) throw new Error('bad output base');
  if (digits.some((d) => d < 0 || d >= inputBase)) throw new Error('bad digit');
  let n = digits.reduce((acc, d) => acc * inputBase + d, 0);
  if (n === 0) return [0];
  const out = [];
  while (n > 0) { out.unshift(n % outputBase); n = Math.floor(n / outputBase); }
  return out;
}`;

export const allYourBaseCorrect = allYourBaseWrongMessages
  .replace("'bad input base'", "'input base must be >= 2'")
  .replace("'bad output base'", "'output base must be >= 2'")
  .replace("'bad digit'", "'all digits must satisfy 0 <= d < input base'");

/** Several properties; a default export of an object, to check that form is accepted. */
export const clockCorrect = `
const norm = (h, m) => { const t = (((h * 60 + m) % 1440) + 1440) % 1440;
  return String(Math.floor(t / 60)).padStart(2, '0') + ':' + String(t % 60).padStart(2, '0'); };
export default {
  create: (hour, minute) => norm(hour, minute),
  add: (hour, minute, value) => norm(hour, minute + value),
  subtract: (hour, minute, value) => norm(hour, minute - value),
  equal: (clock1, clock2) => norm(clock1.hour, clock1.minute) === norm(clock2.hour, clock2.minute),
};`;

export const clockEqualAlwaysTrue = clockCorrect.replace(
  'equal: (clock1, clock2) => norm(clock1.hour, clock1.minute) === norm(clock2.hour, clock2.minute)',
  'equal: () => true',
);

/** Deeply nested groups, eight properties. */
export const rationalCorrect = `
const gcd = (a, b) => (b === 0 ? Math.abs(a) : gcd(b, a % b));
export function reduce([a, b]) {
  if (a === 0) return [0, 1];
  const g = gcd(a, b) * Math.sign(b);
  return [a / g + 0, b / g];
}
export const add = ([a, b], [c, d]) => reduce([a * d + c * b, b * d]);
export const sub = ([a, b], [c, d]) => reduce([a * d - c * b, b * d]);
export const mul = ([a, b], [c, d]) => reduce([a * c, b * d]);
export const div = ([a, b], [c, d]) => reduce([a * d, b * c]);
export function abs(r) { const [a, b] = reduce(r); return [Math.abs(a), b]; }
export function exprational([a, b], n) {
  return n >= 0 ? reduce([a ** n, b ** n]) : reduce([b ** -n, a ** -n]);
}
export const expreal = (x, [a, b]) => x ** (a / b);
`;

/** abs returns its argument untouched. */
export const rationalAbsIdentity = rationalCorrect.replace(
  'export function abs(r) { const [a, b] = reduce(r); return [Math.abs(a), b]; }',
  'export function abs(r) { return r; }',
);

/** The harness's response for one module on `cases`, run on the host (one session, one exercise). */
export async function runModule(
  moduleSource: string,
  cases: readonly HiddenCase[],
  limits: HarnessLimits = DEFAULT_HARNESS_LIMITS,
): Promise<HarnessResponse | HarnessFailure> {
  const responses = await runHarness(localProcessRunner, [harnessExercise('x', moduleSource, cases)], limits);
  return responses.get('x') as HarnessResponse | HarnessFailure;
}
