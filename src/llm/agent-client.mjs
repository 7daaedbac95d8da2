/**
 * The LLM client for agent programs running in the sandbox. No dependencies: it is copied next
 * to the program. It talks to the LLM gateway over the Unix socket named by the environment
 * variable HYPERAGENTS_LLM_SOCKET; the gateway holds the key and picks the real model for the role.
 *
 *   import { chat } from './agent-client.mjs';
 *   const completion = await chat({ role: 'task', messages: [{ role: 'user', content: 'Hi' }] });
 *   completion.choices[0].message.content;
 *
 * Errors (no gateway, budget spent, upstream down) are thrown as an Error whose message is the
 * gateway's own, with `status` (HTTP status, 0 when the gateway cannot be reached) and `type`.
 */
import http from 'node:http';

export const SOCKET_ENV = 'HYPERAGENTS_LLM_SOCKET';

export class LlmError extends Error {
  constructor(message, status, type) {
    super(message);
    this.name = 'LlmError';
    this.status = status;
    this.type = type;
  }
}

/**
 * Asks for a chat completion. `role` is 'meta' or 'task'; any other OpenAI parameter
 * (temperature, max_tokens, tool_choice, ...) may be passed in `params`.
 */
export async function chat({ role, messages, tools, params = {}, socketPath, timeoutMs } = {}) {
  const body = { ...params, model: role, messages };
  if (tools !== undefined) body.tools = tools;
  return request('POST', '/v1/chat/completions', body, { socketPath, timeoutMs, role });
}

/** The gateway's model list; when no endpoint is configured it is empty and has a `message`. */
export async function listModels({ socketPath, timeoutMs } = {}) {
  return request('GET', '/v1/models', undefined, { socketPath, timeoutMs });
}

/** True when the gateway has an LLM endpoint behind it, so the agent can pick its strategy. */
export async function isAvailable(options = {}) {
  try {
    const models = await listModels(options);
    return Array.isArray(models.data) && models.data.length > 0;
  } catch {
    return false;
  }
}

function request(method, path, body, { socketPath, timeoutMs = 600_000, role }) {
  const socket = socketPath ?? process.env[SOCKET_ENV];
  if (!socket) {
    return Promise.reject(
      new LlmError(`no LLM gateway: the ${SOCKET_ENV} environment variable is not set`, 0),
    );
  }
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  if (role) headers['x-hyperagents-role'] = role;

  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, path, method, headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => reject(new LlmError(`LLM gateway response failed: ${e.message}`, 0)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          reject(new LlmError(`LLM gateway answered ${res.statusCode} with a non-JSON body`, res.statusCode));
          return;
        }
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve(parsed);
          return;
        }
        const message = parsed?.error?.message ?? `LLM gateway answered ${res.statusCode}`;
        reject(new LlmError(message, res.statusCode, parsed?.error?.type));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) =>
      reject(new LlmError(`cannot reach the LLM gateway at ${socket}: ${e.message}`, 0)),
    );
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
