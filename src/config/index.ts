export { configSchema, type Config, type ConfigInput } from './schema';
export { envBindings, type EnvBinding } from './env';
export { loadConfig, ConfigError, temporalAddress, s3Endpoint, type LoadedConfig } from './load';
// Relative folders in the configuration resolve from it, so callers of the config find it here too.
export { projectRoot } from '../host/assets';
