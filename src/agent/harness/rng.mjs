/**
 * The seeded stream given to the meta agent as ctx.rng. It lives in the harness, not in the
 * program, so an edited program cannot change how its own randomness is seeded.
 * Not src/util/random.ts: the harness runs in the sandbox beside the program, with nothing of the host.
 */
export function createRng(seed) {
  let state = 0x811c9dc5;
  for (const ch of String(seed)) state = Math.imul(state ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return {
    /** mulberry32: a float in [0, 1). */
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
