/** Deep equality of a returned JSON value against an expected JSON value, done on the host. */

export interface CompareOptions {
  /** Non-identical numbers match when |a − b| ≤ tolerance · max(1, |a|, |b|) (floating-point cases). */
  relativeTolerance: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { relativeTolerance: 1e-9 };

export function jsonEqual(expected: unknown, actual: unknown, options = DEFAULT_COMPARE_OPTIONS): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (expected === actual) return true;
    const scale = Math.max(1, Math.abs(expected), Math.abs(actual));
    return Math.abs(expected - actual) <= options.relativeTolerance * scale;
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) return false;
    return expected.every((e, i) => jsonEqual(e, actual[i], options));
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = Object.keys(expected);
    if (keys.length !== Object.keys(actual).length) return false;
    return keys.every((k) => Object.hasOwn(actual, k) && jsonEqual(expected[k], actual[k], options));
  }
  return expected === actual;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
