/**
 * The codec endpoint (`hyperagents codec-server`): Temporal's remote codec protocol, so the Web UI
 * and the Temporal CLI (`--codec-endpoint`) show encrypted payloads in clear to authorised users.
 * POST `.../encode` and `.../decode` take and return `{payloads: [...]}`, each payload in protobuf
 * JSON (`metadata` values and `data` in base64); only the last part of the path counts.
 *
 * Authorised: `Authorization: Bearer <token>` (scripts, the Temporal CLI's `--codec-auth`), or the
 * cookie that signing in at `/login` with the token sets (the Web UI, with "Include cross-origin
 * credentials" on). CORS answers only the configured origins (default the Web UI's).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ConfigError, type Config } from '../src/config';

export const CODEC_COOKIE = 'hyperagents-codec';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const COOKIE_MAX_AGE_S = 12 * 3600;

/** The endpoint's token: HYPERAGENTS_CODEC_TOKEN, or the file temporal.encryption.codecTokenFile (read at start). */
export function codecToken(c: Config): string {
  const e = c.temporal.encryption;
  if (e?.codecToken) return e.codecToken;
  if (e?.codecTokenFile) {
    let token: string;
    try {
      token = fs.readFileSync(e.codecTokenFile, 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(
        `temporal.encryption.codecTokenFile ${e.codecTokenFile}: cannot be read (${code})`,
      );
    }
    if (!token) throw new ConfigError(`temporal.encryption.codecTokenFile ${e.codecTokenFile}: empty`);
    return token;
  }
  throw new ConfigError(
    'the codec endpoint needs a token: HYPERAGENTS_CODEC_TOKEN or temporal.encryption.codecTokenFile (e.g. `openssl rand -hex 32`)',
  );
}

/** A payload in protobuf JSON, as the remote codec protocol carries it. */
export interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

export function payloadFromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

export function payloadToJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins allowed by CORS, e.g. `http://127.0.0.1:8233`. */
  origins: string[];
  host: string;
  /** 0: any free port. */
  port: number;
}

export interface RunningCodecServer {
  url: string;
  close: () => Promise<void>;
}

function sameSecret(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const LOGIN_PAGE = `<!doctype html><meta charset="utf-8"><title>hyperagents codec endpoint</title>
<form method="post" action="login"><label>Codec token <input type="password" name="token" autofocus></label>
<button>Sign in</button></form>`;

export async function startCodecServer(o: CodecServerOptions): Promise<RunningCodecServer> {
  const origins = new Set(o.origins.map((x) => new URL(x).origin));
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    // The login form posts from the endpoint's own origin.
    const allowed = origin !== undefined && (origins.has(origin) || origin === `http://${req.headers.host}`);
    const send = (
      status: number,
      body: string,
      type = 'application/json',
      extra: http.OutgoingHttpHeaders = {},
    ) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        ...(allowed
          ? {
              'Access-Control-Allow-Origin': origin,
              'Access-Control-Allow-Credentials': 'true',
              Vary: 'Origin',
            }
          : {}),
        ...extra,
      });
      res.end(body);
    };
    const fail = (status: number, message: string) => send(status, JSON.stringify({ error: message }));
    const last = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '').split('/').pop() ?? '';

    // A browser from another origin gets nothing: no CORS headers, and its requests are refused.
    if (origin !== undefined && !allowed) return fail(403, `origin ${origin} is not allowed`);
    if (req.method === 'OPTIONS')
      return send(204, '', 'text/plain', {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    if (last === 'login' && req.method === 'GET') return send(200, LOGIN_PAGE, 'text/html; charset=utf-8');
    if (last === 'login' && req.method === 'POST') {
      readBody(req).then(
        (body) => {
          const given = new URLSearchParams(body).get('token') ?? undefined;
          if (!sameSecret(given, o.token)) return send(401, 'wrong token\n', 'text/plain; charset=utf-8');
          send(
            200,
            'Signed in: the Temporal UI can now decode payloads here.\n',
            'text/plain; charset=utf-8',
            {
              'Set-Cookie': `${CODEC_COOKIE}=${encodeURIComponent(o.token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${COOKIE_MAX_AGE_S}`,
            },
          );
        },
        () => fail(400, 'cannot read the request'),
      );
      return;
    }
    if (req.method !== 'POST' || (last !== 'encode' && last !== 'decode'))
      return fail(404, 'POST .../encode or .../decode');
    const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (!sameSecret(auth, o.token) && !sameSecret(cookie(req, CODEC_COOKIE), o.token))
      return fail(401, 'not authorised: Authorization: Bearer <token>, or sign in at /login');
    readBody(req)
      .then(async (body) => {
        let payloads: Payload[];
        try {
          const parsed = JSON.parse(body) as { payloads?: JsonPayload[] };
          if (!Array.isArray(parsed.payloads)) throw new Error('no payloads');
          payloads = parsed.payloads.map(payloadFromJson);
        } catch {
          return fail(400, 'the body must be {"payloads": [...]} in protobuf JSON');
        }
        try {
          const out = last === 'encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
          send(200, JSON.stringify({ payloads: out.map(payloadToJson) }));
        } catch (e) {
          fail(400, (e as Error).message);
        }
      })
      .catch(() => fail(400, 'cannot read the request'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
