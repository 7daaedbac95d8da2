import { createHash } from 'crypto';
import type { ProgramFiles } from './paths';

/**
 * The canonical JSON text of a program: one object, keys sorted by code unit, no whitespace.
 * Built by hand because JS objects list integer-like keys ("1", "42") first whatever their
 * insertion order, so JSON.stringify of a sorted object would not be canonical.
 */
export function canonicalProgramJson(files: ProgramFiles): string {
  const keys = Object.keys(files).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(files[k])}`).join(',')}}`;
}

/** sha256 (hex) of the canonical JSON; equal programs hash equal, whatever the key order. */
export function programHash(files: ProgramFiles): string {
  return createHash('sha256').update(canonicalProgramJson(files), 'utf8').digest('hex');
}
