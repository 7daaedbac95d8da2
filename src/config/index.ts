export { configSchema, type Config, type ConfigInput } from './schema';
export { envBindings, type EnvBinding } from './env';
export { loadConfig, ConfigError, temporalAddress, s3Endpoint, type LoadedConfig } from './load';
