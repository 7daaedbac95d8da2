import { createHash } from 'crypto';
import { canonicalJson } from '../../util/canonical';
import type { ProgramFiles } from './paths';

/**
 * The text of a program snapshot: the canonical JSON of its files. The archive stores this text as
 * the program's blob, so the blob's digest is `programHash`.
 */
export function canonicalProgramJson(files: ProgramFiles): string {
  return canonicalJson(files);
}

/** sha256 (hex) of the canonical JSON; equal programs hash equal, whatever the key order. */
export function programHash(files: ProgramFiles): string {
  return createHash('sha256').update(canonicalProgramJson(files), 'utf8').digest('hex');
}
