import * as http from 'http';
import type * as net from 'net';

/**
 * A loopback HTTP front for the server on 127.0.0.1:`targetPort` (the embedded S3 server in tests):
 * every request goes to `answer` first, which may answer it itself (returns true), e.g. to refuse
 * writes or to record what the client sent; the rest is relayed unchanged.
 */
export async function httpRelay(
  targetPort: number,
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => boolean = () => false,
): Promise<{ port: number; endpoint: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (answer(req, res)) return;
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
