import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The shared read-only mirror (never copied into the project). */
export const DATA_DIR =
  process.env.HYPERAGENTS_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

const created: string[] = [];
// Registered in every test file that imports this helper, so each file removes its own folders.
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hyperagents-${prefix}-`));
  created.push(dir);
  return dir;
}

/** A real HTTP server on 127.0.0.1 serving fixed bodies by path; counts requests per path. */
export interface LoopbackServer {
  readonly baseUrl: string;
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startServer(
  routes: Record<string, { status?: number; body?: Buffer | string; location?: string }>,
): Promise<LoopbackServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const route = routes[url];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(route.status ?? 200, route.location ? { location: route.location } : {});
    res.end(route.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
