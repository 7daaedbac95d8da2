import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLocalProcess } from '../../host/localProcess';
import type { UntrustedRunner } from '../contract';

/**
 * An `UntrustedRunner` that is no sandbox: it writes the files to a fresh temporary folder and runs
 * the command as a plain child process of the host (no inherited environment), `stdin` on its stdin.
 * It contains crashes and hangs of the reward code or a coding module, not malice; for tests and
 * local trials where no sandbox exists (both domains' `allowHostExecution`).
 */
export const localProcessRunner: UntrustedRunner = async (request) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reward-design-'));
  try {
    for (const [name, content] of Object.entries(request.files)) {
      const target = path.join(dir, name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
    const [command = 'node', ...args] = request.command;
    const ran = await runLocalProcess({
      command: command === 'node' ? process.execPath : command,
      args,
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      stdin: request.stdin,
      timeoutMs: request.timeoutMs,
    });
    // Why the host stopped or could not start it goes where the caller looks for the reason.
    const reason = ran.error?.message ?? ran.violation;
    return {
      exitCode: ran.exitCode,
      stdout: ran.stdout,
      stderr: reason ? `${ran.stderr}${reason}` : ran.stderr,
      timedOut: ran.timedOut,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
