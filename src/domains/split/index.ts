export * from './rng';
export * from './by-class';
