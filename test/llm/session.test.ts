import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { openGatewaySession, rolesForPurpose, type GatewaySession } from '../../src/llm';
import { AGENT_UID, LLM_SOCKET_NAME } from '../../src/sandbox';
import { MemoryObjectStore } from '../../src/storage/memoryStore';
import { type OpenAIStub, startOpenAIStub } from '../fixtures/openai-stub';
import { chatBody, unixRequest } from './unix-http';

/** A gateway session as the engine opens it: who may reach its socket, and which role it serves. */

const asRoot = process.getuid?.() === 0;

/** Connects to the socket as another user; prints `connected` or the error code. */
function connectAs(uid: number, socket: string): string {
  const probe =
    "const s=require('net').connect(process.argv[1]);" +
    "s.on('connect',()=>{console.log('connected');s.destroy()});" +
    "s.on('error',(e)=>console.log(e.code))";
  return execFileSync(
    'setpriv',
    ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', process.execPath, '-e', probe, socket],
    { encoding: 'utf8' },
  ).trim();
}

let stub: OpenAIStub;
let session: GatewaySession | undefined;

beforeEach(async () => {
  stub = await startOpenAIStub({ fallback: { kind: 'text', content: 'ok' } });
});
afterEach(async () => {
  await session?.close();
  session = undefined;
  await stub.close();
});

const open = (purpose: string) =>
  openGatewaySession({
    llm: { baseUrl: stub.baseURL, apiKey: 'sk-session-0123456789', metaModel: 'big', taskModel: 'small' },
    budgetLeft: {},
    store: new MemoryObjectStore(),
    runId: 'run-s',
    nodeId: 'gen-00001',
    purpose,
  });

test('the role follows from what the host opened the session for', () => {
  expect(rolesForPurpose('selfModify')).toEqual(['meta']);
  expect(rolesForPurpose('evaluate:paper-review')).toEqual(['task']);
  expect(rolesForPurpose('test:paper-review')).toEqual(['task']);
  expect(rolesForPurpose('eval:coding')).toEqual(['task']);
});

test('a task session refuses the meta role and reports it as a broken rule', async () => {
  session = await open('evaluate:paper-review');
  const socket = path.join(session!.socketDir, LLM_SOCKET_NAME);
  const meta = await unixRequest(socket, 'POST', '/v1/chat/completions', chatBody('meta', 'hi'));
  expect(meta.status).toBe(403);
  expect(session!.violation?.()).toBe('role "meta" is not allowed in this session (it may use "task")');
  expect(session!.violated?.aborted).toBe(true);
  const task = await unixRequest(socket, 'POST', '/v1/chat/completions', chatBody('task', 'hi'));
  expect(task.status).toBe(200);
  expect(stub.chatRequests.map((r) => (r.body as { model: string }).model)).toEqual(['small']);

  const metaSession = await open('selfModify');
  try {
    const metaSocket = path.join(metaSession!.socketDir, LLM_SOCKET_NAME);
    expect(
      (await unixRequest(metaSocket, 'POST', '/v1/chat/completions', chatBody('task', 'x'))).status,
    ).toBe(403);
    expect(
      (await unixRequest(metaSocket, 'POST', '/v1/chat/completions', chatBody('meta', 'x'))).status,
    ).toBe(200);
  } finally {
    await metaSession?.close();
  }
});

test("the config's request timeout and retry policy reach the session: a hang is cut and retried as configured", async () => {
  session = await openGatewaySession({
    llm: {
      baseUrl: stub.baseURL,
      metaModel: 'big',
      taskModel: 'small',
      requestTimeoutSec: 0.3,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    },
    budgetLeft: {},
    store: new MemoryObjectStore(),
    runId: 'run-s',
    nodeId: 'gen-00001',
    purpose: 'evaluate:paper-review',
  });
  stub.enqueue({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
  const socket = path.join(session!.socketDir, LLM_SOCKET_NAME);
  const started = Date.now();
  const res = await unixRequest(socket, 'POST', '/v1/chat/completions', chatBody('task', 'hi'));
  expect(res.status).toBe(502);
  expect((res.body as { error: { message: string } }).error.message).toMatch(
    /^upstream LLM endpoint unreachable after 2 attempts/,
  );
  // Two attempts of 0.3 s each, not the client's default of 10 minutes.
  expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(stub.chatRequests).toHaveLength(2);
  expect(session!.calls().byOutcome.error).toBe(1);
});

(asRoot ? test : test.skip)(
  'only the sandbox user can reach the socket: a private folder, a 0600 socket',
  async () => {
    session = await open('evaluate:paper-review');
    const socket = path.join(session!.socketDir, LLM_SOCKET_NAME);
    const folder = fs.statSync(session!.socketDir);
    expect(folder.mode & 0o777).toBe(0o711);
    expect(folder.uid).toBe(process.getuid!());
    const file = fs.statSync(socket);
    expect(file.mode & 0o777).toBe(0o600);
    expect(file.uid).toBe(AGENT_UID);
    expect(connectAs(AGENT_UID + 1, socket)).toBe('EACCES');
    expect(connectAs(AGENT_UID, socket)).toBe('connected');
    // Nor can another user list the folder to find it.
    expect(() =>
      execFileSync(
        'setpriv',
        ['--reuid', '10002', '--regid', '10002', '--clear-groups', 'ls', session!.socketDir],
        {
          stdio: 'pipe',
        },
      ),
    ).toThrow();
  },
);
