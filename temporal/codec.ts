/**
 * Encrypted histories (issue 12): a payload codec that encrypts every payload clients and workers
 * send to Temporal with AES-256-GCM, so prompts, code and scores are ciphertext at rest in the
 * server. Codecs run outside the workflow sandbox: workflow code never imports this module.
 *
 * An encrypted payload has encoding `binary/encrypted`, the key's id in its metadata
 * (`encryption-key-id`), and data = 12-byte random IV | ciphertext | 16-byte tag, the ciphertext
 * being the whole original payload (metadata included) as protobuf. The key id is authenticated
 * data. Decoding picks the key by that id, so after a rotation (a new current key, the old one kept)
 * payloads written with the old key still decode. Payloads that are not encrypted (histories from
 * before encryption was turned on) pass through unchanged.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigError, type Config } from '../src/config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export interface CodecKeys {
  /** Every key by id: the current one and the older ones kept for decoding. */
  keys: ReadonlyMap<string, Buffer>;
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly k: CodecKeys) {
    if (!k.keys.has(k.currentKeyId))
      throw new ConfigError(`encryption key id "${k.currentKeyId}" is not among the configured keys`);
  }

  get currentKeyId(): string {
    return this.k.currentKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.k.currentKeyId;
    const key = this.k.keys.get(keyId)!;
    return payloads.map((p) => {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(keyId, 'utf8'));
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) },
        data: new Uint8Array(body),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const keyId = text(p.metadata?.[KEY_ID_METADATA]);
      if (keyId === undefined) throw new Error('encrypted payload without a key id: cannot decrypt it');
      const key = this.k.keys.get(keyId);
      if (!key)
        throw new Error(
          `payload encrypted with key id "${keyId}", which is not among the configured keys (HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile): keep old keys after a rotation`,
        );
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES)
        throw new Error(`encrypted payload (key id "${keyId}") is too short: damaged`);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        throw new Error(
          `encrypted payload (key id "${keyId}") failed authentication: altered, or a different key under that id`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * Keys as HYPERAGENTS_CODEC_KEYS or a keys file hold them: `id:base64key` entries separated by
 * commas or lines (`#` starts a comment line), or a JSON object `{"id": "base64key"}`. Each key is 32
 * random bytes (`openssl rand -base64 32`). Messages name ids, never key material.
 */
export function parseCodecKeys(source: string, origin: string): Map<string, Buffer> {
  const entries: Array<[string, string]> = [];
  const trimmed = source.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigError(`${origin}: not valid JSON (expected {"<key id>": "<base64 key>"})`);
    }
    for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new ConfigError(`${origin}: key "${id}": must be a base64 string`);
      entries.push([id, value]);
    }
  } else {
    for (const line of trimmed.split(/[,\n]/)) {
      const entry = line.trim();
      if (!entry || entry.startsWith('#')) continue;
      const colon = entry.indexOf(':');
      if (colon < 0) throw new ConfigError(`${origin}: entries are <key id>:<base64 key>, comma-separated`);
      entries.push([entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()]);
    }
  }
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of entries) {
    if (!KEY_ID.test(id))
      throw new ConfigError(`${origin}: key id "${id.slice(0, 64)}": letters, digits, . _ - only (1 to 64)`);
    if (keys.has(id)) throw new ConfigError(`${origin}: key id "${id}" given twice`);
    const key = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64) || key.length !== KEY_BYTES)
      throw new ConfigError(
        `${origin}: key "${id}": must be ${KEY_BYTES} bytes in base64 (\`openssl rand -base64 32\`)`,
      );
    keys.set(id, key);
  }
  if (keys.size === 0) throw new ConfigError(`${origin}: no key`);
  return keys;
}

/**
 * The configured keys (HYPERAGENTS_CODEC_KEYS, or the file temporal.encryption.keysFile, read each
 * time), or undefined when encryption is off (the default).
 */
export function codecKeys(c: Config): CodecKeys | undefined {
  const e = c.temporal.encryption;
  if (!e) return undefined;
  let keys: Map<string, Buffer>;
  if (e.keys) keys = parseCodecKeys(e.keys, 'HYPERAGENTS_CODEC_KEYS');
  else if (e.keysFile) {
    let source: string;
    try {
      source = fs.readFileSync(e.keysFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(`temporal.encryption.keysFile ${e.keysFile}: cannot be read (${code})`);
    }
    keys = parseCodecKeys(source, `temporal.encryption.keysFile ${e.keysFile}`);
  } else {
    throw new ConfigError(
      'temporal.encryption is set but gives no keys: HYPERAGENTS_CODEC_KEYS or temporal.encryption.keysFile',
    );
  }
  let currentKeyId = e.currentKeyId;
  if (currentKeyId === undefined) {
    if (keys.size > 1)
      throw new ConfigError(
        `several encryption keys (${[...keys.keys()].join(', ')}): say which one encrypts with temporal.encryption.currentKeyId (HYPERAGENTS_CODEC_KEY_ID)`,
      );
    currentKeyId = [...keys.keys()][0]!;
  }
  if (!keys.has(currentKeyId))
    throw new ConfigError(
      `temporal.encryption.currentKeyId "${currentKeyId}" is not among the keys (${[...keys.keys()].join(', ')})`,
    );
  return { keys, currentKeyId };
}

/** The codec of the configuration, or undefined when encryption is off. */
export function payloadCodec(c: Config): EncryptionCodec | undefined {
  const keys = codecKeys(c);
  return keys ? new EncryptionCodec(keys) : undefined;
}

/** What every client and worker the project creates passes as `dataConverter`. */
export function dataConverter(c: Config): DataConverter | undefined {
  const codec = payloadCodec(c);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
