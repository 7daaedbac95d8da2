import { createHash } from 'crypto';
import { canonicalJson } from '../util/canonical';
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
