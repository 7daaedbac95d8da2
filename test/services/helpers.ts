/** Doubles and helpers the service tests share. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathMatcher, readProgramDir, type ProgramFiles } from '../../src/agent/program';
import { noRefusals, type GatewaySession } from '../../src/llm';
import type { Sandbox, SandboxResult, SandboxRunSpec } from '../../src/sandbox';

/**
 * A sandbox double that runs the real harness and program with the host's node in a temp folder
 * (no isolation: the scripts are the project's own), copying the requested outputs back.
 */
export function localNodeSandbox(): Sandbox {
  return {
    backend: 'bubblewrap',
    run: async (spec: SandboxRunSpec) => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'selfmodify-'));
      try {
        for (const [p, content] of Object.entries(spec.files)) {
          fs.mkdirSync(path.dirname(path.join(work, p)), { recursive: true });
          fs.writeFileSync(path.join(work, p), content);
        }
        const started = Date.now();
        const res = spawnSync(process.execPath, spec.command.slice(1), {
          cwd: work,
          env: spec.env,
          input: spec.stdin,
          encoding: 'utf8',
          timeout: 60_000,
        });
        const files: Record<string, Buffer> = {};
        for (const out of spec.outputs ?? [])
          for (const [p, text] of Object.entries(await readProgramDir(path.join(work, out))))
            files[`${out}/${p}`] = Buffer.from(text);
        return {
          outcome: res.status === 0 ? 'ok' : 'crashed',
          exitCode: res.status,
          stdout: res.stdout,
          stderr: res.stderr,
          durationMs: Date.now() - started,
          outputs: { files, skipped: [] },
        };
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

/** The files of `program` in `set`, by path. */
export function setOf(program: ProgramFiles, set: readonly string[]): ProgramFiles {
  const inSet = pathMatcher(set);
  return Object.fromEntries(Object.entries(program).filter(([p]) => inSet(p)));
}

/** A scripted sandbox session's result: a clean exit with nothing printed, unless `over` says otherwise. */
export function sessionResult(over: Partial<SandboxResult>): SandboxResult {
  return {
    outcome: 'ok',
    exitCode: 0,
    stdout: '',
    stderr: '',
    durationMs: 1,
    outputs: { files: {}, skipped: [] },
    ...over,
  };
}

/** What run_validate.mjs prints for a program that passed: the verdict line with the session's nonce. */
export function validationPassed(spec: SandboxRunSpec): string {
  const { nonce } = JSON.parse(spec.stdin ?? '{}') as { nonce?: string };
  return `${JSON.stringify({ nonce, ok: true, reasons: [] })}\n`;
}

/**
 * A gateway session as the engine sees one, for services whose sandbox is scripted (no socket is
 * used): no calls, nothing spent, no rule broken, unless `over` says otherwise.
 */
export function gatewaySession(over: Partial<GatewaySession>): Promise<GatewaySession> {
  return Promise.resolve({
    socketDir: '/nonexistent',
    spent: () => ({ usd: 0, tokens: 0 }),
    calls: () => ({ byOutcome: { upstream: 0, replay: 0, refused: 0, error: 0 } }),
    violation: () => undefined,
    violated: new AbortController().signal,
    refusals: noRefusals,
    close: () => Promise.resolve(),
    ...over,
  });
}
