import type * as http from 'http';

/** An error the gateway answers with, in the OpenAI error format so any OpenAI client reads it. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'gateway_error',
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; code: string } } {
    return { error: { message: this.message, type: this.type, code: this.type } };
  }
}

export function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(413, `request body larger than ${maxBytes} bytes`, 'request_too_large');
}

/** The body's bytes, refused with 413 as soon as it passes `maxBytes` (never buffered beyond it). */
export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('close', () =>
      reject(new GatewayError(400, 'request aborted by the client', 'invalid_request_error')),
    );
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new GatewayError(400, 'request body is not valid JSON', 'invalid_request_error');
  }
}

/**
 * Answers without reading (the rest of) the body, and closes the connection once the answer is
 * out, so a refused upload costs the gateway neither memory nor time.
 */
export function refuseUnread(req: http.IncomingMessage, res: http.ServerResponse, error: GatewayError): void {
  req.pause();
  if (res.headersSent || res.destroyed) {
    req.socket.destroy();
    return;
  }
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  res.on('finish', () => req.socket.destroySoon());
  sendJson(res, error.status, error.body());
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Replaces every occurrence of a secret in a JSON-serialisable value. A defence in depth: an
 * upstream that echoes the Authorization header must not hand the key to the sandbox or the log.
 * Very short secrets are left alone, since replacing them would mangle ordinary text.
 */
export function redactSecret<T>(value: T, secret: string | undefined): T {
  if (!secret || secret.length < 8 || value === undefined) return value;
  const text = JSON.stringify(value);
  const needle = JSON.stringify(secret).slice(1, -1); // the secret as it appears inside JSON text
  if (!text.includes(needle)) return value;
  return JSON.parse(text.split(needle).join('[redacted]')) as T;
}
