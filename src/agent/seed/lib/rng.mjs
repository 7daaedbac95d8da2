/**
 * Small seeded randomness helpers. The program never calls Math.random: every random choice comes
 * from a seeded stream, so a run replays exactly from its seed.
 * Not src/util/random.ts: the agent program runs in the sandbox self-contained and the agent may edit it.
 */

/** mulberry32 over a 32-bit seed (the seed is hashed first, so nearby seeds give unrelated streams). */
export function createRng(seed) {
  let state = hashSeed(seed);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return withHelpers({ next });
}

/** Adds normal(), int(n) and pick(list) to anything with next() in [0, 1). */
export function withHelpers(rng) {
  const next = () => rng.next();
  return {
    next,
    /** Standard normal by Box-Muller (one draw per call; the second value is dropped for simplicity). */
    normal() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int(n) {
      return Math.min(n - 1, Math.floor(next() * n));
    },
    pick(list) {
      return list[Math.min(list.length - 1, Math.floor(next() * list.length))];
    },
  };
}

function hashSeed(seed) {
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
