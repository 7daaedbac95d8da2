/**
 * Helpers over the seeded stream the harness passes as ctx.rng. The meta agent never calls
 * Math.random: every random choice comes from that stream, so an offline generation replays exactly
 * from its seed. Not src/util/random.ts: the program runs in the sandbox self-contained.
 */

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
