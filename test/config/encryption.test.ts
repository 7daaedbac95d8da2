/**
 * Encrypted histories (issue 12), the parts that need no Temporal: the keys' configuration, the
 * AES-GCM payload codec, and the codec endpoint on loopback. test/stack/encrypted-histories.test.ts
 * runs the codec on a real run.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import {
  codecKeys,
  dataConverter,
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  parseCodecKeys,
} from '../../temporal/codec';
import {
  CODEC_COOKIE,
  codecToken,
  payloadFromJson,
  payloadToJson,
  startCodecServer,
  type RunningCodecServer,
} from '../../temporal/codecServer';
import { uiOrigins } from '../../src/cli/codecCommand';
import { checkEncryption } from '../../src/cli/doctor';

const keyA = crypto.randomBytes(32);
const keyB = crypto.randomBytes(32);
const b64 = (k: Buffer) => k.toString('base64');
const KEYS = `a:${b64(keyA)},b:${b64(keyB)}`;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const plain = (data: string): Payload => ({ metadata: { encoding: enc('json/plain') }, data: enc(data) });

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ha-codec-'));
}

function codec(currentKeyId: string, keys = KEYS): EncryptionCodec {
  return new EncryptionCodec({ keys: parseCodecKeys(keys, 'test'), currentKeyId });
}

describe('configuration', () => {
  test('off by default: no codec, no data converter', () => {
    const c = loadConfig({ env: {}, cwd: os.tmpdir() });
    expect(c.temporal.encryption).toBeUndefined();
    expect(codecKeys(c)).toBeUndefined();
    expect(dataConverter(c)).toBeUndefined();
  });

  test('keys from HYPERAGENTS_CODEC_KEYS, the current one by HYPERAGENTS_CODEC_KEY_ID; a single key is current', () => {
    const both = codecKeys(
      loadConfig({ env: { HYPERAGENTS_CODEC_KEYS: KEYS, HYPERAGENTS_CODEC_KEY_ID: 'b' } }),
    );
    expect(both?.currentKeyId).toBe('b');
    expect(both?.keys.get('a')).toEqual(keyA);
    const one = codecKeys(loadConfig({ env: { HYPERAGENTS_CODEC_KEYS: `only:${b64(keyA)}` } }));
    expect(one?.currentKeyId).toBe('only');
    expect(() => codecKeys(loadConfig({ env: { HYPERAGENTS_CODEC_KEYS: KEYS } }))).toThrow(
      'several encryption keys (a, b): say which one encrypts with temporal.encryption.currentKeyId (HYPERAGENTS_CODEC_KEY_ID)',
    );
    expect(() =>
      codecKeys(loadConfig({ env: { HYPERAGENTS_CODEC_KEYS: KEYS, HYPERAGENTS_CODEC_KEY_ID: 'c' } })),
    ).toThrow('temporal.encryption.currentKeyId "c" is not among the keys (a, b)');
  });

  test('a keys file (JSON or lines), relative to the config file; read at each use, so a rotation is picked up', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify({ a: b64(keyA) }));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ temporal: { encryption: { keysFile: 'keys.json', currentKeyId: 'a' } } }),
    );
    const c = loadConfig({ file, env: {} });
    expect(c.temporal.encryption?.keysFile).toBe(path.join(dir, 'keys.json'));
    expect(codecKeys(c)?.currentKeyId).toBe('a');
    fs.writeFileSync(path.join(dir, 'keys.json'), `# rotated\na:${b64(keyA)}\nb:${b64(keyB)}\n`);
    // With both keys in the file, the same config (current key a) still loads; b is there to rotate to.
    expect([...codecKeys(c)!.keys.keys()]).toEqual(['a', 'b']);
    fs.rmSync(path.join(dir, 'keys.json'));
    expect(() => codecKeys(c)).toThrow(
      `temporal.encryption.keysFile ${path.join(dir, 'keys.json')}: cannot be read (ENOENT)`,
    );
  });

  test('secrets are refused in the config file; bad keys are one line naming the id, never the key', () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ temporal: { encryption: { keys: KEYS } } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(
      `config file ${file}: temporal.encryption.keys: a secret is not read from the config file; use HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile`,
    );
    fs.writeFileSync(file, JSON.stringify({ temporal: { encryption: { codecToken: 'tok' } } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(
      /temporal\.encryption\.codecToken: a secret is not read/,
    );
    fs.writeFileSync(file, JSON.stringify({ temporal: { encryption: { keysFile: 'k' } } }));
    expect(() => loadConfig({ file, env: { HYPERAGENTS_CODEC_KEYS: KEYS } })).toThrow(
      /temporal\.encryption\.keysFile: set the keys one way/,
    );
    const short = b64(crypto.randomBytes(16));
    let message = '';
    try {
      parseCodecKeys(`k1:${short}`, 'HYPERAGENTS_CODEC_KEYS');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'HYPERAGENTS_CODEC_KEYS: key "k1": must be 32 bytes in base64 (`openssl rand -base64 32`)',
    );
    expect(message).not.toContain(short);
    expect(() => parseCodecKeys(`a:${b64(keyA)},a:${b64(keyB)}`, 'x')).toThrow('x: key id "a" given twice');
    expect(() => parseCodecKeys(b64(keyA), 'x')).toThrow(
      'x: entries are <key id>:<base64 key>, comma-separated',
    );
    expect(() => parseCodecKeys(`bad id:${b64(keyA)}`, 'x')).toThrow(/key id "bad id": letters, digits/);
  });

  test('the codec token from HYPERAGENTS_CODEC_TOKEN or a file; none is one line', () => {
    expect(codecToken(loadConfig({ env: { HYPERAGENTS_CODEC_TOKEN: 't0k' } }))).toBe('t0k');
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ temporal: { encryption: { codecTokenFile: 'token' } } }));
    expect(codecToken(loadConfig({ file, env: {} }))).toBe('from-file');
    expect(() => codecToken(loadConfig({ env: {}, cwd: os.tmpdir() }))).toThrow(
      /^the codec endpoint needs a token: HYPERAGENTS_CODEC_TOKEN or temporal\.encryption\.codecTokenFile/,
    );
  });

  test('doctor: no line when off; the current key and the ids when on; a bad key is one failing line', () => {
    expect(checkEncryption(loadConfig({ env: {}, cwd: os.tmpdir() }))).toEqual([]);
    expect(
      checkEncryption(loadConfig({ env: { HYPERAGENTS_CODEC_KEYS: KEYS, HYPERAGENTS_CODEC_KEY_ID: 'b' } })),
    ).toEqual([
      { name: 'temporal encryption', status: 'ok', detail: 'AES-256-GCM, current key b (2 key(s): a, b)' },
    ]);
    expect(checkEncryption(loadConfig({ env: { HYPERAGENTS_CODEC_KEYS: 'a:short' } }))).toEqual([
      {
        name: 'temporal encryption',
        status: 'fail',
        detail: 'HYPERAGENTS_CODEC_KEYS: key "a": must be 32 bytes in base64 (`openssl rand -base64 32`)',
      },
    ]);
  });

  test('CORS origins default to the Web UI: the embedded one by 127.0.0.1 and localhost, else temporal.uiUrl', () => {
    expect(uiOrigins(loadConfig({ env: {}, cwd: os.tmpdir() }))).toEqual([
      'http://127.0.0.1:8233',
      'http://localhost:8233',
    ]);
    const dir = tempDir();
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ temporal: { uiUrl: 'https://temporal.example.com/ui' } }));
    expect(uiOrigins(loadConfig({ file, env: {} }))).toEqual(['https://temporal.example.com']);
  });
});

describe('the AES-GCM codec', () => {
  test('round trip; the encrypted payload carries encoding and key id, and none of the plaintext', async () => {
    const c = codec('a');
    const secret = 'the prompt: improve task_agent.mjs, score 0.73';
    const [encrypted] = await c.encode([plain(secret)]);
    expect(dec(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(dec(encrypted!.metadata![KEY_ID_METADATA])).toBe('a');
    expect(Object.keys(encrypted!.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    expect(Buffer.from(encrypted!.data!).includes(Buffer.from('prompt'))).toBe(false);
    expect(Buffer.from(encrypted!.data!).includes(Buffer.from('json/plain'))).toBe(false);
    const [back] = await c.decode([encrypted!]);
    expect(dec(back!.data)).toBe(secret);
    expect(dec(back!.metadata!.encoding)).toBe('json/plain');
    // A fresh IV each time: the same value never encrypts the same way twice.
    const [again] = await c.encode([plain(secret)]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(encrypted!.data!))).toBe(false);
    // Payloads in clear (a history from before encryption) pass through.
    const [clear] = await c.decode([plain('old')]);
    expect(dec(clear!.data)).toBe('old');
  });

  test('tampering is detected: a flipped byte, or a changed key id', async () => {
    const c = codec('a');
    const [encrypted] = await c.encode([plain('{"score":1}')]);
    const data = Buffer.from(encrypted!.data!);
    for (const at of [0, 14, data.length - 1]) {
      const flipped = Buffer.from(data);
      flipped[at]! ^= 0x01;
      await expect(c.decode([{ ...encrypted!, data: flipped }])).rejects.toThrow(
        'encrypted payload (key id "a") failed authentication: altered, or a different key under that id',
      );
    }
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: enc('b') } };
    await expect(c.decode([relabelled])).rejects.toThrow(/key id "b"\) failed authentication/);
  });

  test('rotation: the old key still decodes; an unknown key id is one clear line', async () => {
    const [underA] = await codec('a', `a:${b64(keyA)}`).encode([plain('before rotation')]);
    const rotated = codec('b');
    const [underB] = await rotated.encode([plain('after rotation')]);
    expect(dec(underB!.metadata![KEY_ID_METADATA])).toBe('b');
    const decoded = await rotated.decode([underA!, underB!]);
    expect(decoded.map((p) => dec(p.data))).toEqual(['before rotation', 'after rotation']);
    const onlyB = codec('b', `b:${b64(keyB)}`);
    await expect(onlyB.decode([underA!])).rejects.toThrow(
      'payload encrypted with key id "a", which is not among the configured keys (HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile): keep old keys after a rotation',
    );
  });
});

describe('the codec endpoint', () => {
  const TOKEN = 'codec-test-token';
  const UI = 'http://127.0.0.1:8233';
  let server: RunningCodecServer;
  const c = codec('a');
  beforeAll(async () => {
    server = await startCodecServer({ codec: c, token: TOKEN, origins: [UI], host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server.close());

  const post = (route: string, payloads: Payload[], headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: JSON.stringify({ payloads: payloads.map(payloadToJson) }),
    });

  test('/decode with the token gives the plaintext; without it, or with a wrong one, 401', async () => {
    const [encrypted] = await c.encode([plain('{"prompt":"secret prompt"}')]);
    const ok = await post('/decode', [encrypted!], { Authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(body.payloads).toHaveLength(1);
    expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).toBe('{"prompt":"secret prompt"}');
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');

    for (const headers of [{}, { Authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      const refused = await post('/decode', [encrypted!], headers);
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('secret prompt');
    }
  });

  test('/encode then /decode at any depth (only the last path part counts); a bad body is 400', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const encoded = await post('/default/encode', [plain('"x"')], auth);
    const payloads = ((await encoded.json()) as { payloads: [] }).payloads.map(payloadFromJson);
    expect(dec(payloads[0]!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    const decoded = await post('/default/decode', payloads, auth);
    expect(((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads[0]!.data).toBe(
      Buffer.from('"x"').toString('base64'),
    );
    const bad = await fetch(`${server.url}/decode`, { method: 'POST', headers: auth, body: 'nope' });
    expect(bad.status).toBe(400);
  });

  test('CORS: a preflight from the UI origin is answered; another origin gets no CORS headers and 403', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const other = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the UI way: sign in at /login, then the cookie authorises /decode from the UI origin', async () => {
    const wrong = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'token=nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
      body: `token=${TOKEN}`,
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^${CODEC_COOKIE}=.*; HttpOnly; SameSite=Strict`));
    const [encrypted] = await c.encode([plain('"from the UI"')]);
    const res = await post('/decode', [encrypted!], { Cookie: setCookie.split(';')[0]!, Origin: UI });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(((await res.json()) as { payloads: Array<{ data: string }> }).payloads[0]!.data).toBe(
      Buffer.from('"from the UI"').toString('base64'),
    );
  });
});
