import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../src/config';

/** `console.*`: the web console's bind address, port and token (README, "The console and the report"). */
function tempFile(content: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ha-console-config-')), 'c.json');
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

test('defaults: loopback, port 8235, no token (a fresh one per start)', () => {
  const c = loadConfig({ env: {}, cwd: os.tmpdir() });
  expect(c.console).toEqual({ host: '127.0.0.1', port: 8235 });
});

test('the environment sets host, port and token', () => {
  const c = loadConfig({
    env: {
      HYPERAGENTS_CONSOLE_HOST: '0.0.0.0',
      HYPERAGENTS_CONSOLE_PORT: '9100',
      HYPERAGENTS_CONSOLE_TOKEN: 'a-token-of-enough-length',
    },
    cwd: os.tmpdir(),
  });
  expect(c.console).toMatchObject({ host: '0.0.0.0', port: 9100, token: 'a-token-of-enough-length' });
});

test('a non-loopback console needs a token; the token is never read from the config file', () => {
  expect(() => loadConfig({ file: tempFile({ console: { host: '0.0.0.0' } }), env: {} })).toThrow(
    /console\.host: a console on a non-loopback address needs a token/,
  );
  expect(() =>
    loadConfig({ file: tempFile({ console: { token: 'a-token-of-enough-length' } }), env: {} }),
  ).toThrow(/console\.token: a secret is not read from the config file/);
  expect(() => loadConfig({ env: { HYPERAGENTS_CONSOLE_TOKEN: 'short' }, cwd: os.tmpdir() })).toThrow(
    /console\.token: use at least 16 characters/,
  );
});

test('a token file resolves from the config file folder and allows a non-loopback host', () => {
  const file = tempFile({ console: { host: '0.0.0.0', tokenFile: 'console-token' } });
  const c = loadConfig({ file, env: {} });
  expect(c.console.tokenFile).toBe(path.join(path.dirname(file), 'console-token'));
});
