import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http2 from 'http2';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';

/** Files of a throwaway PKI made with the openssl CLI: a CA, a server and a client certificate. */
export interface TestPki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing here: trusting it alone must fail. */
  otherCaFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(
    dir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`]
      .concat(['-keyout', `${name}.key`, '-out', `${name}.crt`])
      .concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
  );
}

function issue(dir: string, name: string, ext: string): void {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  ]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(
    dir,
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      '-extfile',
      `${name}.ext`,
    ]),
  );
}

/** A CA, a server certificate for `temporal.test` and 127.0.0.1, a client certificate, another CA. */
export function makePki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other');
  issue(
    dir,
    'server',
    'subjectAltName=DNS:temporal.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  issue(dir, 'client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    caFile: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    otherCaFile: f('other.crt'),
  };
}

/**
 * A TLS-terminating TCP proxy on loopback: TLS (ALPN h2, client certificate required) in front of
 * a plain TCP target, as a load balancer in front of a Temporal frontend would be.
 */
export class TlsProxy {
  private readonly sockets = new Set<net.Socket>();
  /** Handshakes that failed, by reason (a client that did not trust us, or sent no certificate). */
  readonly refused: string[] = [];
  port = 0;

  private constructor(private readonly server: tls.Server) {}

  static async start(pki: TestPki, targetPort: number): Promise<TlsProxy> {
    const server = tls.createServer({
      key: fs.readFileSync(pki.serverKey),
      cert: fs.readFileSync(pki.serverCert),
      ca: fs.readFileSync(pki.caFile),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    });
    const proxy = new TlsProxy(server);
    server.on('tlsClientError', (e) => proxy.refused.push(e.message));
    server.on('secureConnection', (client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('close', () => proxy.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.port = (server.address() as net.AddressInfo).port;
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A plain HTTP/2 (h2c) proxy on loopback that passes gRPC calls to a target and keeps each call's
 * `authorization` header: what a frontend checking API keys would see.
 */
export class H2CaptureProxy {
  /** The authorization header of each call, in order (undefined: none sent). */
  readonly authorizations: Array<string | undefined> = [];
  port = 0;

  private constructor(
    private readonly server: http2.Http2Server,
    private readonly upstream: http2.ClientHttp2Session,
  ) {}

  static async start(targetPort: number): Promise<H2CaptureProxy> {
    const upstream = http2.connect(`http://127.0.0.1:${targetPort}`);
    upstream.on('error', () => undefined);
    const server = http2.createServer();
    const proxy = new H2CaptureProxy(server, upstream);
    server.on('stream', (stream, headers) => {
      const auth = headers.authorization;
      proxy.authorizations.push(Array.isArray(auth) ? auth.join(',') : auth);
      const forward: http2.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(headers)) if (k !== ':scheme' && k !== ':authority') forward[k] = v;
      const call = upstream.request(forward);
      let trailers: http2.OutgoingHttpHeaders = {};
      // A call the client gave up (a worker's long poll at shutdown) may be gone by now.
      const safe = (fn: () => void) => {
        if (stream.destroyed || stream.closed) return;
        try {
          fn();
        } catch {
          stream.destroy();
        }
      };
      call.on('response', (h) => safe(() => stream.respond(h, { waitForTrailers: true })));
      call.on('trailers', (t: http2.IncomingHttpHeaders) => {
        trailers = t;
      });
      stream.on('wantTrailers', () => safe(() => stream.sendTrailers(trailers)));
      call.on('error', () => stream.destroy());
      stream.on('error', () => call.destroy());
      stream.pipe(call);
      call.pipe(stream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.port = (server.address() as net.AddressInfo).port;
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.upstream.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
