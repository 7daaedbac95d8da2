/**
 * Environment variables that override config keys. This table is the single source: the loader
 * reads it and a test checks the README documents every entry. Rows repeat one shape on purpose:
 * a table is clearer than a generator here.
 */
export interface EnvBinding {
  name: string;
  path: string[];
  kind: 'string' | 'number' | 'boolean';
  doc: string;
}

export const envBindings: EnvBinding[] = [
  { name: 'HYPERAGENTS_STATE_DIR', path: ['stateDir'], kind: 'string', doc: 'state folder' },
  { name: 'HYPERAGENTS_TOOLS_DIR', path: ['toolsDir'], kind: 'string', doc: 'downloaded tools folder' },
  { name: 'HYPERAGENTS_DATA_DIR', path: ['dataDir'], kind: 'string', doc: 'local dataset mirror root' },
  {
    name: 'HYPERAGENTS_TEMPORAL_PORT',
    path: ['temporal', 'port'],
    kind: 'number',
    doc: 'Temporal gRPC port',
  },
  { name: 'HYPERAGENTS_TEMPORAL_UI_PORT', path: ['temporal', 'uiPort'], kind: 'number', doc: 'Web UI port' },
  {
    name: 'HYPERAGENTS_TEMPORAL_ADDRESS',
    path: ['temporal', 'address'],
    kind: 'string',
    doc: 'external Temporal frontend',
  },
  {
    name: 'HYPERAGENTS_TEMPORAL_NAMESPACE',
    path: ['temporal', 'namespace'],
    kind: 'string',
    doc: 'Temporal namespace',
  },
  {
    name: 'HYPERAGENTS_TEMPORAL_API_KEY',
    path: ['temporal', 'apiKey'],
    kind: 'string',
    doc: 'Temporal API key (never read from the config file)',
  },
  {
    name: 'HYPERAGENTS_CODEC_KEYS',
    path: ['temporal', 'encryption', 'keys'],
    kind: 'string',
    doc: 'history encryption keys, `id:base64key,...` (never read from the config file)',
  },
  {
    name: 'HYPERAGENTS_CODEC_KEY_ID',
    path: ['temporal', 'encryption', 'currentKeyId'],
    kind: 'string',
    doc: 'the encryption key new payloads use',
  },
  {
    name: 'HYPERAGENTS_CODEC_TOKEN',
    path: ['temporal', 'encryption', 'codecToken'],
    kind: 'string',
    doc: 'bearer token of `hyperagents codec-server` (never read from the config file)',
  },
  {
    name: 'HYPERAGENTS_CONSOLE_HOST',
    path: ['console', 'host'],
    kind: 'string',
    doc: 'console bind address',
  },
  { name: 'HYPERAGENTS_CONSOLE_PORT', path: ['console', 'port'], kind: 'number', doc: 'console port' },
  {
    name: 'HYPERAGENTS_CONSOLE_TOKEN',
    path: ['console', 'token'],
    kind: 'string',
    doc: 'token of `hyperagents console` (never read from the config file)',
  },
  {
    name: 'HYPERAGENTS_TASK_QUEUE',
    path: ['temporal', 'taskQueue'],
    kind: 'string',
    doc: 'worker task queue',
  },
  {
    name: 'HYPERAGENTS_S3_EMBEDDED',
    path: ['s3', 'embedded'],
    kind: 'boolean',
    doc: 'true: embedded S3 server; false: AWS S3 or s3.endpoint',
  },
  { name: 'HYPERAGENTS_S3_REGION', path: ['s3', 'region'], kind: 'string', doc: 'S3 region' },
  { name: 'HYPERAGENTS_S3_PORT', path: ['s3', 'port'], kind: 'number', doc: 'embedded S3 server port' },
  { name: 'HYPERAGENTS_S3_ENDPOINT', path: ['s3', 'endpoint'], kind: 'string', doc: 'external S3 endpoint' },
  { name: 'HYPERAGENTS_S3_BUCKET', path: ['s3', 'bucket'], kind: 'string', doc: 'bucket name' },
  { name: 'HYPERAGENTS_S3_ACCESS_KEY_ID', path: ['s3', 'accessKeyId'], kind: 'string', doc: 'S3 key id' },
  {
    name: 'HYPERAGENTS_S3_SECRET_ACCESS_KEY',
    path: ['s3', 'secretAccessKey'],
    kind: 'string',
    doc: 'S3 secret (never read from the config file)',
  },
  { name: 'HYPERAGENTS_DOCKER', path: ['docker', 'mode'], kind: 'string', doc: 'auto | on | off' },
  {
    name: 'HYPERAGENTS_SANDBOX_BACKEND',
    path: ['sandbox', 'backend'],
    kind: 'string',
    doc: 'auto | docker | bubblewrap',
  },
  {
    name: 'HYPERAGENTS_LLM_BASE_URL',
    path: ['llm', 'baseUrl'],
    kind: 'string',
    doc: 'OpenAI-compatible URL',
  },
  { name: 'HYPERAGENTS_LLM_API_KEY', path: ['llm', 'apiKey'], kind: 'string', doc: 'API key (worker only)' },
];
