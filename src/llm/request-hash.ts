import { createHash } from 'crypto';
import type { ChatBody, Role } from './types';

/** Keys that do not change what the model is asked: transport, bookkeeping, or the model name. */
const IGNORED_KEYS = new Set(['model', 'stream', 'stream_options', 'user', 'metadata', 'store']);

/**
 * Stable identity of a chat request for replay: sha256 of the canonical JSON of the role and every
 * parameter that shapes the answer. The role, not the upstream model name, is hashed so a rerun
 * replays even if the configured model changed.
 */
export function requestHash(role: Role, body: ChatBody): string {
  const relevant: Record<string, unknown> = { role };
  for (const [key, value] of Object.entries(body)) {
    if (!IGNORED_KEYS.has(key) && value !== undefined) relevant[key] = value;
  }
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
