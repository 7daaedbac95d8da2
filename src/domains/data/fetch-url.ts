import * as http from 'node:http';
import * as https from 'node:https';

/** Fetches the whole body of a URL; rejects on anything but HTTP 200. */
export type FetchUrl = (url: string) => Promise<Uint8Array>;

const MAX_REDIRECTS = 5;
const MAX_BYTES = 512 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

/** The default downloader: plain node:http(s) GET, following a few redirects (GitHub raw uses them). */
export const httpFetchUrl: FetchUrl = (url) => get(url, MAX_REDIRECTS);

function get(url: string, redirectsLeft: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!client) return reject(new Error(`unsupported URL scheme: ${url}`));
    const request = client.get(url, { timeout: TIMEOUT_MS }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirectsLeft <= 0) return reject(new Error(`too many redirects fetching ${url}`));
        return resolve(get(new URL(location, url).toString(), redirectsLeft - 1));
      }
      if (status !== 200) {
        response.resume();
        return reject(new Error(`HTTP ${status} fetching ${url}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) request.destroy(new Error(`response larger than ${MAX_BYTES} bytes: ${url}`));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`timed out fetching ${url}`)));
    request.on('error', reject);
  });
}
