/**
 * The host's one seeded generator: parent choice, staged subsets, dataset splits, reward-design
 * training and the seeds handed to agents all draw from it. It must give the same stream on every
 * machine and on every replay of a Temporal workflow, so it is plain 32-bit integer arithmetic with
 * no imports and no `Math.random` (workflows and the reward-design sandbox runner load it too).
 *
 * Algorithms (public domain, widely reproduced):
 * - cyrb128 (bryc's "PRNGs in JavaScript" notes): hashes the seed string into four 32-bit words;
 * - sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from PractRand): the stream itself.
 * Changing either changes every seeded run and recorded workflow history, so a golden-value test
 * pins them.
 */

/** A seeded stream. Stateful: each call advances it. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** A uniform 32-bit unsigned integer (the same step as `next`, unscaled). */
  uint32(): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal (Box-Muller; each pair of uniforms gives two values). */
  normal(): number;
}

/**
 * cyrb128: four 32-bit words from a string, all of them depending on every character. Exported for
 * the golden-value test only; draw through `rngFromString`.
 */
export function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32 seeded with four 32-bit words. */
function sfc32(seed: readonly [number, number, number, number]): Rng {
  let [a, b, c, d] = seed;
  const uint32 = (): number => {
    // PractRand: tmp = a + b + counter++; a = b ^ (b >> 9); b = c + (c << 3); c = rotl(c, 21) + tmp.
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs (as bryc recommends) so that the four seed words are well mixed.
  for (let i = 0; i < 15; i++) uint32();
  const next = (): number => uint32() / 4294967296;
  let spareNormal: number | undefined;
  return {
    uint32,
    next,
    uniform: (low, high) => low + (high - low) * next(),
    normal: () => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/** A stream named by any string: same string, same stream. */
export function rngFromString(text: string): Rng {
  return sfc32(cyrb128(text));
}

/**
 * The stream of an integer seed (a domain loader's or an evaluation's): the stream named by its
 * decimal text, so nearby seeds give unrelated streams.
 */
export function rngFromSeed(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`rngFromSeed: seed must be an integer, got ${seed}`);
  return rngFromString(String(seed));
}

/** Fisher-Yates shuffle into a new array (one step of `rng` per position but the first). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Index drawn with probability weights[i] / sum(weights), using one step of `rng`. Weights must be
 * finite and >= 0 with a positive sum (callers handle the all-zero case themselves).
 */
export function drawIndex(weights: readonly number[], rng: Rng): number {
  let total = 0;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`drawIndex: weight ${w} is not finite and >= 0`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('drawIndex: weights sum to zero');
  const u = rng.next() * total;
  let cumulative = 0;
  let lastPositive = -1;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    cumulative += w;
    lastPositive = i;
    if (u < cumulative) return i;
  }
  // Floating-point rounding can leave u a hair above the final cumulative sum.
  return lastPositive;
}
