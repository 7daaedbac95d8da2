import { createHash } from 'crypto';
import { canonicalJson } from '../../util/canonical';
import type { ProgramFiles } from './paths';

/**
 * sha256 (hex) of the program's canonical JSON, the text the archive stores as its snapshot blob,
 * so this is the blob's digest too. Equal programs hash equal, whatever the key order.
 */
export function programHash(files: ProgramFiles): string {
  return createHash('sha256').update(canonicalJson(files), 'utf8').digest('hex');
}
