/**
 * The host's one 32-bit string hash (FNV-1a): numeric seeds from names, e.g. a domain loader's seed
 * from the run seed, or one seed per task and purpose. Not for security, nor for seeding a stream
 * directly from a name (`rngFromString` mixes better).
 */
export function stringHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
