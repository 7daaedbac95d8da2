import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { BudgetLedger, LlmGateway } from '../../src/llm';
import { STREAM_CAP, type Sandbox } from '../../src/sandbox';
import { startOpenAIStub } from '../fixtures/openai-stub';
import { cleanHost, hostState, leftSince } from './hostState';
import * as P from './programs';
import { projectRoot } from '../../src/host/assets';
import { backends, docker, env, hostileRunner, lastJson, limits, node, observedLog, reversed } from './suite';

jest.setTimeout(60_000);

const record = observedLog('sandbox');

describe.each(backends)(
  '%s: hostile agents are contained, classified, and leave the host clean',
  (backend, make) => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await make();
    });
    const hostile = hostileRunner(backend, () => sandbox, record);

    test('infinite loop: killed at the time limit', async () => {
      const res = await hostile('infinite loop', { ...node('for (;;) {}'), limits: { timeoutSec: 2 } });
      expect(res.outcome).toBe('timeout');
    });

    test('memory bomb: killed by the memory limit', async () => {
      const res = await hostile('memory bomb', node(P.memoryBomb));
      expect(res.outcome).toBe('oom');
    });

    test('fork bomb: the process limit refuses new processes', async () => {
      const res = await hostile('fork bomb', node(P.forkUntilRefused));
      expect(res.outcome).toBe('ok');
      const seen = lastJson(res) as { spawned: number; code?: string };
      expect(seen.code).toBe('EAGAIN');
      expect(seen.spawned).toBeLessThan(limits.pids);
    });

    test('shell fork bomb: runs into the limit until the time limit kills it', async () => {
      const res = await hostile('shell fork bomb', {
        files: {},
        command: ['/bin/sh', '-c', 'b() { b | b & }; b; sleep 100'],
        limits: { timeoutSec: 3 },
      });
      expect(['timeout', 'crashed', 'ok']).toContain(res.outcome);
    });

    test('filling the scratch disk: /work and /tmp stop at the scratch cap', async () => {
      for (const file of ['/work/fill', '/tmp/fill']) {
        const res = await hostile(`filling scratch disk (${file.split('/')[1]})`, node(P.fillDisk(file)));
        expect(res.outcome).toBe('ok');
        const seen = lastJson(res) as { mb: number; code: string | null };
        expect(seen.code).toBe('ENOSPC');
        expect(seen.mb).toBeLessThanOrEqual(limits.scratchMb);
      }
    });

    test('gigabytes of stdout: killed at the output cap, only the cap is kept', async () => {
      const res = await hostile('gigabytes of stdout', { files: {}, command: ['/bin/sh', '-c', 'yes'] });
      expect(res.outcome).toBe('policy');
      expect(res.violation).toBe('stdout exceeded the output cap');
      expect(res.stdout.length).toBe(STREAM_CAP);
    });

    test('socket to a host loopback listener: fails, the listener sees nothing', async () => {
      let connections = 0;
      const server = net.createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const res = await hostile('socket to host loopback', node(P.connectTo(port)));
        expect(lastJson(res)).toEqual({ connected: false, code: 'ECONNREFUSED' });
      } finally {
        await new Promise((r) => server.close(r));
      }
      expect(connections).toBe(0);
    });

    test('reading host files and the worker environment: nothing is there', async () => {
      const secret = `hostile-secret-${Math.random().toString(36).slice(2)}`;
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-home-'));
      fs.mkdirSync(path.join(home, '.aws'));
      fs.writeFileSync(
        path.join(home, '.aws', 'credentials'),
        `[default]\naws_secret_access_key = ${secret}\n`,
      );
      process.env.HOSTILE_FAKE_SECRET = secret;
      try {
        const hostPaths = [
          '/etc/shadow',
          path.join(home, '.aws', 'credentials'),
          '/root/.aws/credentials',
          path.join(projectRoot, 'package.json'),
          path.join(projectRoot, 'src', 'config', 'schema.ts'),
          `/proc/${process.pid}/environ`,
        ];
        const res = await hostile('reading host files', {
          ...node(P.readHostFiles(hostPaths)),
          stdin: reversed(secret),
        });
        expect(res.outcome).toBe('ok');
        expect(lastJson(res)).toEqual({ readable: [], leaked: [] });
      } finally {
        delete process.env.HOSTILE_FAKE_SECRET;
        fs.rmSync(home, { recursive: true, force: true });
      }
    });

    test('searching for labels: a marker planted on the host is nowhere in the sandbox', async () => {
      const marker = `label-marker-${Math.random().toString(36).slice(2)}`;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-labels-'));
      fs.writeFileSync(path.join(dir, 'labels.json'), JSON.stringify({ answer: marker }));
      try {
        const res = await hostile('searching for labels', {
          ...node(P.searchForMarker),
          stdin: reversed(marker),
        });
        expect(res.outcome).toBe('ok');
        expect(lastJson(res)).toEqual({ found: [], direct: [], searchedFiles: true });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('writing outside its folder: only /work and /tmp are writable', async () => {
      const res = await hostile('writing outside its folder', node(P.writeEverywhere));
      expect(lastJson(res)).toEqual({ written: ['/tmp/x', '/work/x'] });
    });

    test('symlinks in its outputs pointing outside: not followed on copy-out', async () => {
      const res = await hostile('symlink in outputs', {
        files: {},
        command: [
          '/bin/sh',
          '-c',
          'mkdir out && echo fine > out/ok.txt && ln -s /etc/passwd out/leak && ln -s / out/root && ln -s ../.. out/up',
        ],
        outputs: ['out'],
      });
      expect(res.outcome).toBe('ok');
      expect(Object.keys(res.outputs.files)).toEqual(['out/ok.txt']);
      expect(res.outputs.skipped.map((s) => s.path).sort()).toEqual(['out/leak', 'out/root', 'out/up']);
    });

    test('a file map with ../ or absolute paths: refused before anything is created', async () => {
      for (const name of ['../escape.txt', 'a/../../escape.txt', '/etc/escape.txt']) {
        const before = await hostState(docker);
        await expect(
          sandbox.run({ files: { [name]: 'x' }, command: ['/usr/bin/node', '-e', '0'], env, limits }),
        ).rejects.toThrow('refusing path outside the work folder');
        expect(await leftSince(docker, before)).toEqual(cleanHost());
      }
      record('patch with ../ paths', backend, 'refused (run rejects)');
    });

    test('looking for the API key in its environment: not there', async () => {
      const key = `sk-hostile-${Math.random().toString(36).slice(2)}`;
      process.env.OPENAI_API_KEY = key;
      try {
        const res = await hostile('API key in environment', {
          ...node(P.readHostFiles([])),
          stdin: reversed(key),
        });
        expect(lastJson(res)).toEqual({ readable: [], leaked: [] });
      } finally {
        delete process.env.OPENAI_API_KEY;
      }
    });

    test('ignoring SIGTERM: killed anyway at the time limit', async () => {
      const res = await hostile('ignoring SIGTERM', {
        files: {},
        command: ['/bin/sh', '-c', "trap '' TERM INT HUP; while :; do :; done"],
        limits: { timeoutSec: 2 },
      });
      expect(res.outcome).toBe('timeout');
    });

    test('double-forking to outlive its session: nothing of it survives', async () => {
      const res = await hostile('double fork', {
        files: {},
        command: ['/bin/sh', '-c', '( setsid sleep 300 </dev/null >/dev/null 2>&1 & ); echo started'],
      });
      expect([res.outcome, res.stdout]).toEqual(['ok', 'started\n']);
    });

    test('escalating privileges: no capabilities, no setuid, no-new-privs', async () => {
      const res = await hostile('privilege escalation', node(P.escalate));
      // EPERM without the capability; EINVAL under bubblewrap's user namespace, where uid 0 is unmapped.
      const denied: unknown = expect.stringMatching(/^(EPERM|EINVAL)$/);
      expect(lastJson(res)).toEqual({
        setuid: denied,
        setgid: denied,
        capEff: '0000000000000000',
        capBnd: expect.any(String) as unknown,
        noNewPrivs: '1',
        chmodRoot: 'EROFS',
      });
    });

    test('calling the LLM gateway after the budget is spent: refused, the upstream sees nothing', async () => {
      const stub = await startOpenAIStub();
      const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-gw-'));
      fs.chmodSync(socketDir, 0o755);
      const gateway = new LlmGateway({
        socketPath: path.join(socketDir, 'llm.sock'),
        upstream: { baseUrl: stub.baseURL, apiKey: 'sk-upstream-key', models: { meta: 'm', task: 't' } },
        budget: new BudgetLedger({ tokens: 1000 }, { usd: 0, tokens: 1000 }),
      });
      await gateway.start();
      try {
        const res = await hostile('LLM gateway after budget', {
          ...node(P.callGateway),
          socketDir,
          env: { ...env, HYPERAGENTS_LLM_SOCKET: '/run/hyperagents/llm.sock' },
        });
        const seen = lastJson(res) as { status: number; body: { error: { type: string; message: string } } };
        expect(seen.status).toBe(402);
        expect(seen.body.error.type).toBe('budget_exceeded');
        expect(seen.body.error.message).toContain('run token budget exceeded');
        expect(stub.requests).toEqual([]);
      } finally {
        await gateway.close();
        await stub.close();
        fs.rmSync(socketDir, { recursive: true, force: true });
      }
    });
  },
);
