export { configSchema, type Config, type ConfigInput } from './schema';
export { envBindings, type EnvBinding } from './env';
export {
  loadConfig,
  ConfigError,
  embeddedS3Endpoint,
  embeddedTemporalAddress,
  taskQueues,
  withTaskQueue,
  temporalAddress,
  temporalEmbedded,
  s3Endpoint,
  s3Where,
  type LoadedConfig,
} from './load';
