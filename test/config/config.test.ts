import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, envBindings, loadConfig } from '../../src/config';
import { projectRoot } from '../../src/host/assets';

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-config-'));
  const file = path.join(dir, 'c.json');
  fs.writeFileSync(file, content);
  return file;
}

test('defaults need no file and resolve folders under the project root', () => {
  const c = loadConfig({ env: {}, cwd: os.tmpdir() });
  expect(c.temporal.port).toBe(7233);
  expect(c.temporal.uiPort).toBe(8233);
  expect(c.s3.bucket).toBe('hyperagents');
  expect(c.sandbox.backend).toBe('auto');
  expect(c.stateDir).toBe(path.join(projectRoot, '.hyperagents'));
  expect(fs.existsSync(path.join(projectRoot, 'package.json'))).toBe(true);
});

test('a config file overrides defaults and the environment overrides the file', () => {
  const file = tempFile(JSON.stringify({ temporal: { port: 9000 }, s3: { bucket: 'from-file' } }));
  const c = loadConfig({ file, env: { HYPERAGENTS_S3_BUCKET: 'from-env' } });
  expect(c.temporal.port).toBe(9000);
  expect(c.temporal.uiPort).toBe(8233);
  expect(c.s3.bucket).toBe('from-env');
  expect(c.source).toBe(file);
});

test('bad values give a clear message naming the key', () => {
  const bad =
    (raw: unknown, env: Record<string, string> = {}) =>
    () =>
      loadConfig({ file: tempFile(JSON.stringify(raw)), env });
  expect(bad({ temporal: { port: 70000 } })).toThrow(/temporal\.port: .*65535/);
  expect(bad({ s3: { bucket: 'Not_A_Bucket' } })).toThrow(/s3\.bucket: must be a valid S3 bucket name/);
  expect(bad({ sandbox: { backend: 'vm' } })).toThrow(/sandbox\.backend/);
  expect(bad({ host: '0.0.0.0' })).toThrow(/host: must be a loopback address/);
  expect(bad({ temporal: { prot: 1 } })).toThrow(/temporal.*prot/);
  expect(bad({}, { HYPERAGENTS_TEMPORAL_PORT: 'seven' })).toThrow(
    'HYPERAGENTS_TEMPORAL_PORT=seven: must be a number (temporal.port)',
  );
  expect(() => loadConfig({ file: tempFile('{ not json'), env: {} })).toThrow(/not a JSON object/);
  expect(() => loadConfig({ file: '/no/such/file.json', env: {} })).toThrow(ConfigError);
});

test('every environment variable is documented in the README', () => {
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const missing = envBindings.map((b) => b.name).filter((name) => !readme.includes(`\`${name}\``));
  expect(missing).toEqual([]);
});

test('an LLM endpoint needs a USD budget cap and the price of its models, with a one-line message', () => {
  const load = (raw: unknown, env: Record<string, string> = {}) =>
    loadConfig({ file: tempFile(JSON.stringify(raw)), env });
  const endpoint = { HYPERAGENTS_LLM_BASE_URL: 'http://127.0.0.1:9/v1' };
  expect(() => load({}, endpoint)).toThrow(
    /: run\.budget\.usd: an LLM endpoint is configured \(llm\.baseUrl\), so a USD budget cap is required: set run\.budget\.usd/,
  );
  expect(() => load({ run: { budget: { usd: 0 } } }, endpoint)).toThrow(/run\.budget\.usd: /);
  const priced = { prices: { m: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } } };
  expect(() =>
    load({ run: { budget: { usd: 5 } }, llm: { metaModel: 'm', taskModel: 'n', ...priced } }, endpoint),
  ).toThrow(
    /llm\.prices: no price for n: the USD budget cap \(run\.budget\.usd\) needs the price of every model used$/,
  );
  for (const message of [() => load({}, endpoint)]) {
    expect(message).toThrow(ConfigError);
    let text = '';
    try {
      message();
    } catch (e) {
      text = (e as Error).message;
    }
    expect(text.split('\n')).toHaveLength(1);
  }
  const ok = load(
    { run: { budget: { usd: 5 } }, llm: { metaModel: 'm', taskModel: 'm', ...priced } },
    endpoint,
  );
  expect(ok.llm.maxCompletionTokens).toBe(4096);
  expect(ok.llm.requestTimeoutSec).toBe(600);
  expect(ok.llm.retry).toEqual({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 });
  // Without an endpoint nothing is required.
  expect(load({}).llm.baseUrl).toBeUndefined();
  expect(() => load({ llm: { maxCompletionTokens: 0 } })).toThrow(/llm\.maxCompletionTokens: /);
  expect(() => load({ llm: { retry: { maxAttempts: 0 } } })).toThrow(/llm\.retry\.maxAttempts: /);
  expect(() => load({ llm: { requestTimeoutSec: 0 } })).toThrow(/llm\.requestTimeoutSec: /);
});
