import type { Rng } from '../../util/random';

/** Cross-entropy method with a diagonal Gaussian and decaying extra noise (Szita & Lőrincz 2006). */
export interface CemConfig {
  readonly population: number;
  readonly eliteFraction: number;
  readonly iterations: number;
  readonly initialStd: number;
  /** Added to the variance at iteration 0, decaying linearly to 0; keeps the search from collapsing early. */
  readonly extraNoise: number;
}

export interface CemIteration {
  readonly iteration: number;
  readonly bestFitness: number;
  readonly eliteMeanFitness: number;
}

export interface CemResult {
  readonly mean: number[];
  readonly history: CemIteration[];
}

/**
 * Maximises a fitness evaluated a whole population at a time (so callers can batch expensive
 * work such as running a reward function in a sandbox). Ties keep sampling order, so a constant
 * fitness yields an uninformed random walk, which is what a zero reward deserves.
 */
export function trainCem(
  dimension: number,
  config: CemConfig,
  rng: Rng,
  evaluatePopulation: (candidates: readonly number[][], iteration: number) => number[],
): CemResult {
  const mean = new Array<number>(dimension).fill(0);
  const std = new Array<number>(dimension).fill(config.initialStd);
  const eliteCount = Math.max(1, Math.round(config.population * config.eliteFraction));
  const history: CemIteration[] = [];
  for (let iteration = 0; iteration < config.iterations; iteration++) {
    const candidates: number[][] = [];
    for (let c = 0; c < config.population; c++) {
      candidates.push(mean.map((m, d) => m + (std[d] ?? 0) * rng.normal()));
    }
    const fitness = evaluatePopulation(candidates, iteration);
    const order = candidates.map((_, i) => i).sort((a, b) => (fitness[b] ?? 0) - (fitness[a] ?? 0));
    const elites = order.slice(0, eliteCount);
    const noise = config.extraNoise * Math.max(0, 1 - iteration / Math.max(1, config.iterations - 1));
    for (let d = 0; d < dimension; d++) {
      let sum = 0;
      for (const e of elites) sum += candidates[e]?.[d] ?? 0;
      const m = sum / eliteCount;
      let variance = 0;
      for (const e of elites) variance += ((candidates[e]?.[d] ?? 0) - m) ** 2;
      mean[d] = m;
      std[d] = Math.sqrt(variance / eliteCount + noise);
    }
    const eliteFitness = elites.map((e) => fitness[e] ?? 0);
    history.push({
      iteration,
      bestFitness: eliteFitness[0] ?? 0,
      eliteMeanFitness: eliteFitness.reduce((a, b) => a + b, 0) / eliteCount,
    });
  }
  return { mean, history };
}
