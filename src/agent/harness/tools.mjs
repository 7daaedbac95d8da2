/**
 * The meta agent's tools, confined to the program folder: a file editor (view, create, str_replace)
 * that refuses any path resolving outside it, `..` and symlinks included, and bash run with
 * /bin/sh -c in the program folder with a timeout and capped output. The bash guard is lexical
 * (it refuses commands naming paths outside the folder); the sandbox is the real boundary.
 */
import { spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { LLM_SOCKET_ENV } from './common.mjs';

export class RefusedPath extends Error {
  constructor(what) {
    super(`refused: ${what} is outside the program folder`);
    this.name = 'RefusedPath';
  }
}

const within = (root, p) => p === root || p.startsWith(root + path.sep);

/** Read-only system locations a command may name (tools, /dev/null). */
function systemPrefixes() {
  return [
    '/bin',
    '/usr/bin',
    '/usr/local/bin',
    '/usr/lib',
    '/usr/share',
    '/lib',
    path.dirname(process.execPath),
  ];
}
const SYSTEM_FILES = ['/dev/null', '/dev/stdin', '/dev/stdout', '/dev/stderr', '/bin/sh'];

/**
 * The absolute path `p` names inside `root` (real path), or throws RefusedPath. Checks the path
 * lexically, then the real path of the nearest existing ancestor (or of the file itself), so a
 * symlink inside the folder that points outside is refused too.
 */
export function resolveInside(root, p) {
  const abs = path.resolve(root, String(p));
  if (!within(root, abs)) throw new RefusedPath(JSON.stringify(p));
  let probe = abs;
  for (;;) {
    let real;
    try {
      real = realpathSync(probe);
    } catch {
      let isLink = false;
      try {
        isLink = lstatSync(probe).isSymbolicLink();
      } catch {
        // does not exist: check its parent
      }
      if (isLink) throw new RefusedPath(`${JSON.stringify(p)} (a dangling symlink)`);
      probe = path.dirname(probe);
      continue;
    }
    if (!within(root, real)) throw new RefusedPath(JSON.stringify(p));
    return abs;
  }
}

/** Tokens of a shell command that name a place outside `root` (lexically, or through a symlink). */
export function outsideReferences(root, command) {
  const tokens = String(command)
    .split(/[\s;|&<>()`'"=,{}]+/)
    .filter((t) => t !== '');
  const bad = [];
  for (const token of tokens) {
    // '//' and '/*' are comment openers in code written through the shell, not paths.
    if (/^(?:\/{2,}|\/\*+)$/.test(token)) continue;
    if (token.startsWith('~')) {
      bad.push(token);
      continue;
    }
    const abs = path.resolve(root, token);
    if (!within(root, abs)) {
      const allowed =
        SYSTEM_FILES.includes(abs) ||
        systemPrefixes().some((prefix) => abs === prefix || within(prefix, abs));
      if (!allowed) bad.push(token);
      continue;
    }
    try {
      resolveInside(root, token);
    } catch {
      bad.push(token);
    }
  }
  return bad;
}

function listing(root, dir, depth, lines) {
  if (lines.length >= 400) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full);
    lines.push(entry.isDirectory() ? `${rel}/` : rel);
    if (entry.isDirectory() && depth > 1) listing(root, full, depth - 1, lines);
  }
}

const capText = (text, max) =>
  text.length > max ? `${text.slice(0, max)}\n[... ${text.length - max} characters cut]` : text;

/** Tools over `programDir`; `bashTimeoutMs` and `maxOutputChars` bound each call. */
export function createTools(programDir, { bashTimeoutMs = 120_000, maxOutputChars = 20_000 } = {}) {
  const root = realpathSync(programDir);
  const rel = (abs) => path.relative(root, abs) || '.';

  async function view(p) {
    const abs = resolveInside(root, p);
    const stat = statSync(abs);
    if (stat.isDirectory()) {
      const lines = [];
      listing(root, abs, 3, lines);
      return lines.join('\n');
    }
    return capText(readFileSync(abs, 'utf8'), 200_000);
  }

  async function create(p, text) {
    const abs = resolveInside(root, p);
    mkdirSync(path.dirname(abs), { recursive: true });
    resolveInside(root, p); // the folders just made are real folders inside: still inside
    writeFileSync(abs, String(text));
    return `wrote ${rel(abs)} (${Buffer.byteLength(String(text))} bytes)`;
  }

  async function strReplace(p, oldStr, newStr) {
    const abs = resolveInside(root, p);
    if (oldStr === '') throw new Error('old_str must not be empty');
    const text = readFileSync(abs, 'utf8');
    const count = text.split(oldStr).length - 1;
    if (count !== 1)
      throw new Error(`old_str occurs ${count} times in ${rel(abs)}; it must occur exactly once`);
    writeFileSync(
      abs,
      text.replace(oldStr, () => newStr),
    );
    return `replaced 1 occurrence in ${rel(abs)}`;
  }

  function bash(command) {
    const refused = outsideReferences(root, command);
    if (refused.length > 0) {
      return Promise.resolve({
        exitCode: 126,
        stdout: '',
        stderr:
          `refused: the command names paths outside the program folder: ${refused.join(' ')} ` +
          '(to write code, use the editor tool)',
        timedOut: false,
      });
    }
    return runShell(root, command, bashTimeoutMs, maxOutputChars);
  }

  return { root, bash, view, create, strReplace };
}

function runShell(cwd, command, timeoutMs, maxOutputChars) {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: cwd,
        LANG: 'C.UTF-8',
        // workspace/run_train.mjs lets the task agent reach the session's (metered) gateway.
        ...(process.env[LLM_SOCKET_ENV] ? { [LLM_SOCKET_ENV]: process.env[LLM_SOCKET_ENV] } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout kills everything it started
    });
    const out = { stdout: '', stderr: '' };
    const collect = (name) => (chunk) => {
      if (out[name].length < maxOutputChars * 2) out[name] += chunk.toString('utf8');
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    const finish = (exitCode) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        stdout: capText(out.stdout, maxOutputChars),
        stderr: capText(out.stderr, maxOutputChars),
        timedOut,
      });
    };
    child.on('error', (error) => {
      out.stderr += String(error?.message ?? error);
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}
