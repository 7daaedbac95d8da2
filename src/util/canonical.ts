/**
 * JSON with object keys sorted (by code unit) at every level, arrays in order, undefined members
 * dropped (undefined array items become null), so equal values always give equal text: what
 * content hashes (program snapshots, LLM request identities) and record comparisons are taken over.
 * Built by hand because JS objects list integer-like keys ("1", "42") first whatever their insertion
 * order, so JSON.stringify of a rebuilt sorted object would not be canonical.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
