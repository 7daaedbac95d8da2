/**
 * Parser for Exercism `canonical-data.json` files (problem-specifications), for any exercise in the
 * format: nested case groups, several properties, error expectations, scenarios, and `reimplements`.
 * Pure: takes the already-parsed JSON value, returns the flat list of live cases in document order.
 */

/** One leaf test case, flattened out of its groups. */
export interface CanonicalCase {
  uuid: string;
  description: string;
  /** Descriptions of the enclosing groups, outermost first (empty for a top-level case). */
  groupPath: string[];
  /** The function under test, as written in the file (lowerCamelCase by the schema). */
  property: string;
  /** Named arguments, in the file's key order. */
  input: Record<string, unknown>;
  /** The expected return value, or `{ error: string }` when the call must fail. */
  expected: unknown;
  /** Scenarios of the case and of every enclosing group (they apply to all cases below them). */
  scenarios: string[];
  comments: string[];
  /** The older case this one replaces, if any. */
  reimplements?: string;
}

export interface ParsedCanonicalData {
  exercise: string;
  /** Live cases only: every case reimplemented by another case of the same file is removed. */
  cases: CanonicalCase[];
  /** UUIDs dropped because a newer case reimplements them. */
  supersededUuids: string[];
  comments: string[];
}

export class CanonicalDataError extends Error {
  override name = 'CanonicalDataError';
}

/** True for the schema's error encoding: an object whose only key is `error`, holding a string. */
export function isErrorExpectation(expected: unknown): expected is { error: string } {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return false;
  const keys = Object.keys(expected);
  return (
    keys.length === 1 && keys[0] === 'error' && typeof (expected as { error: unknown }).error === 'string'
  );
}

export function parseCanonicalData(raw: unknown, where = 'canonical-data.json'): ParsedCanonicalData {
  const top = asRecord(raw, where);
  if (typeof top.exercise !== 'string') throw new CanonicalDataError(`${where}: missing "exercise" slug`);
  const all: CanonicalCase[] = [];
  flatten(top.cases, [], [], `${where} cases`, all);
  if (all.length === 0) throw new CanonicalDataError(`${where}: no test cases`);

  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.uuid)) throw new CanonicalDataError(`${where}: duplicate uuid ${c.uuid}`);
    seen.add(c.uuid);
  }
  // A reimplementing case supersedes the older one (usually a corrected expectation): keep only the newer.
  const superseded = new Set(all.flatMap((c) => (c.reimplements !== undefined ? [c.reimplements] : [])));
  return {
    exercise: top.exercise,
    cases: all.filter((c) => !superseded.has(c.uuid)),
    supersededUuids: all.filter((c) => superseded.has(c.uuid)).map((c) => c.uuid),
    comments: stringList(top.comments),
  };
}

function flatten(
  items: unknown,
  groupPath: string[],
  groupScenarios: string[],
  where: string,
  out: CanonicalCase[],
): void {
  if (!Array.isArray(items)) throw new CanonicalDataError(`${where}: "cases" must be an array`);
  items.forEach((item, i) => {
    const at = `${where}[${i}]`;
    const rec = asRecord(item, at);
    const description = typeof rec.description === 'string' ? rec.description : '';
    const scenarios = unique([...groupScenarios, ...stringList(rec.scenarios)]);
    if ('cases' in rec) {
      flatten(rec.cases, [...groupPath, description], scenarios, `${at}.cases`, out);
      return;
    }
    out.push(leafCase(rec, at, description, groupPath, scenarios));
  });
}

function leafCase(
  rec: Record<string, unknown>,
  at: string,
  description: string,
  groupPath: string[],
  scenarios: string[],
): CanonicalCase {
  if (typeof rec.uuid !== 'string') throw new CanonicalDataError(`${at}: case without a uuid`);
  if (typeof rec.property !== 'string' || rec.property === '') {
    throw new CanonicalDataError(`${at}: case ${rec.uuid} without a property`);
  }
  if (!('expected' in rec)) throw new CanonicalDataError(`${at}: case ${rec.uuid} without "expected"`);
  const c: CanonicalCase = {
    uuid: rec.uuid,
    description,
    groupPath,
    property: rec.property,
    input: asRecord(rec.input, `${at}.input`),
    expected: rec.expected,
    scenarios,
    comments: stringList(rec.comments),
  };
  if (typeof rec.reimplements === 'string') c.reimplements = rec.reimplements;
  return c;
}

function asRecord(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new CanonicalDataError(`${where}: expected an object`);
  }
  return v as Record<string, unknown>;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
