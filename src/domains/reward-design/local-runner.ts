import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UntrustedRunner } from '../contract';

/**
 * An `UntrustedRunner` that is no sandbox: it writes the files to a fresh temporary folder and runs
 * the command as a plain child process of the host (no inherited environment). It contains crashes
 * and hangs of the reward code, not malice; for tests and local trials where no sandbox exists.
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
    return await new Promise((resolve) => {
      const child = spawn(command === 'node' ? process.execPath : command, args, {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '' },
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, request.timeoutMs);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve({ exitCode: null, stdout, stderr: `${stderr}${error.message}`, timedOut });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, stdout, stderr, timedOut });
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
