export * from './types';
export * from './runState';
export { numericSeed, sizesFor } from './seeds';
export { runConfigSchema, parseRunConfig, RunConfigError, type RunConfigInput } from './runConfig';
