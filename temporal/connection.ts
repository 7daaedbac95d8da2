import * as fs from 'fs';
import * as tls from 'tls';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, temporalAddress, temporalEmbedded, type Config } from '../src/config';
import { dataConverter } from './codec';

/** What the client's Connection and the worker's NativeConnection both take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?:
    | boolean
    | {
        serverNameOverride?: string;
        serverRootCACertificate?: Buffer;
        clientCertPair?: { crt: Buffer; key: Buffer };
      };
  apiKey?: string;
}

function readConfigured(key: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new ConfigError(`${key} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The API key: HYPERAGENTS_TEMPORAL_API_KEY, or the file temporal.apiKeyFile (read each time, so a rotated secret is picked up). */
export function temporalApiKey(c: Config): string | undefined {
  if (c.temporal.apiKey) return c.temporal.apiKey;
  if (!c.temporal.apiKeyFile) return undefined;
  const key = readConfigured('temporal.apiKeyFile', c.temporal.apiKeyFile).toString('utf8').trim();
  if (!key) throw new ConfigError(`temporal.apiKeyFile ${c.temporal.apiKeyFile}: empty`);
  return key;
}

/** Address, TLS and API key from the config; files named by the config are read here. */
export function temporalConnectionOptions(c: Config): TemporalConnectionOptions {
  const t = c.temporal.tls;
  const options: TemporalConnectionOptions = { address: temporalAddress(c), apiKey: temporalApiKey(c) };
  if (typeof t === 'boolean') options.tls = t;
  else if (t) {
    options.tls = {
      serverNameOverride: t.serverName,
      serverRootCACertificate: t.caFile ? readConfigured('temporal.tls.caFile', t.caFile) : undefined,
      clientCertPair:
        t.certFile && t.keyFile
          ? {
              crt: readConfigured('temporal.tls.certFile', t.certFile),
              key: readConfigured('temporal.tls.keyFile', t.keyFile),
            }
          : undefined,
    };
  }
  // With an API key and nothing said about TLS, the SDK turns TLS on (as Temporal Cloud needs).
  return options;
}

/** Whether the connection will use TLS (the SDK's rule: explicit, else on with an API key). */
export function usesTls(o: TemporalConnectionOptions): boolean {
  return o.tls === undefined ? o.apiKey !== undefined : o.tls !== false;
}

/**
 * Why a TLS connection to the frontend fails, in one line, from a handshake of our own with the
 * same CA, client certificate and server name (the gRPC error only says the deadline passed).
 * undefined: the handshake succeeds, or the address is not reachable at all.
 */
export function tlsDiagnosis(o: TemporalConnectionOptions, timeoutMs = 3000): Promise<string | undefined> {
  if (!usesTls(o)) return Promise.resolve(undefined);
  const custom = typeof o.tls === 'object' ? o.tls : {};
  const [host, portText] = splitAddress(o.address);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(portText),
      servername: custom.serverNameOverride ?? (isIp(host) ? undefined : host),
      ca: custom.serverRootCACertificate,
      cert: custom.clientCertPair?.crt,
      key: custom.clientCertPair?.key,
      ALPNProtocols: ['h2'],
      timeout: timeoutMs,
    });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('secureConnect', () => done(undefined));
    socket.once('timeout', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException & { reason?: string }) => {
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH')
        return done(undefined);
      // OpenSSL's messages run over several lines; its reason is the one that says what happened.
      const why = (e.reason ?? e.message.split('\n')[0] ?? '').trim();
      if (e.code === 'ECONNRESET' || /wrong version number|packet length|http request/i.test(why))
        return done(`TLS handshake failed (${why}): is the frontend serving TLS? (temporal.tls)`);
      done(`TLS: ${why}: check temporal.tls (caFile, serverName, certFile/keyFile)`);
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function splitAddress(address: string): [string, string] {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return m ? [m[1]!, m[2]!] : [address, '7233'];
}

/** The one line for a frontend the client cannot connect to, with what to do about it. */
export async function connectionFailure(c: Config, o: TemporalConnectionOptions): Promise<Error> {
  const tlsReason = await tlsDiagnosis(o);
  if (tlsReason) return new Error(`cannot connect to Temporal at ${o.address}: ${tlsReason}`);
  return new Error(
    temporalEmbedded(c)
      ? `cannot reach Temporal at ${o.address}: is the stack up? (\`hyperagents dev up\`)`
      : `cannot reach Temporal at ${o.address} (temporal.address): check the address and that the frontend is up`,
  );
}

export async function connectClient(c: Config): Promise<Client> {
  const options = temporalConnectionOptions(c);
  // A key problem is a configuration error, said before any connection is made.
  const converter = dataConverter(c);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...options, connectTimeout: 3000 });
  } catch {
    // The SDK's own error may quote request metadata; ours never holds the key.
    throw await connectionFailure(c, options);
  }
  return new Client({ connection, namespace: c.temporal.namespace, dataConverter: converter });
}

/**
 * The Web UI's page for the namespace's workflows (or one workflow): temporal.uiUrl, else the
 * embedded server's UI; undefined for an external frontend with no uiUrl (no link is better than
 * a wrong one).
 */
export function uiLink(c: Config, workflowId?: string): string | undefined {
  const root =
    c.temporal.uiUrl ?? (temporalEmbedded(c) ? `http://${c.host}:${c.temporal.uiPort}` : undefined);
  if (root === undefined) return undefined;
  const base = `${root.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(c.temporal.namespace)}/workflows`;
  return workflowId ? `${base}/${encodeURIComponent(workflowId)}` : base;
}
