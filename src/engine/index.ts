export * from './types';
export * from './runState';
export { runConfigSchema, parseRunConfig, RunConfigError, type RunConfigInput } from './runConfig';
