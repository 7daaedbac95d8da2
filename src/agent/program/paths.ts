import { codePointLabel, unsafeCharacter } from '../../util/unsafeText';

/**
 * A hyperagent program as data: posix relative paths to UTF-8 text. Everything that moves a program
 * between the host, S3 and a sandbox speaks this shape, so a program never carries file modes,
 * symlinks or binaries that could escape the folder it is written to.
 */
export type ProgramFiles = Record<string, string>;

/** A program path that would escape its folder or cannot be written as given. */
export class ProgramPathError extends Error {
  override name = 'ProgramPathError';
}

/**
 * Names that tools on the operator's machine read as their own configuration when they meet them
 * in a folder, often by running code: an exported program must not hold any of them, at any depth
 * (compared case-insensitively, since macOS and Windows folders are).
 *
 * - version-control metadata: `.git` (its `config` runs `core.fsmonitor`, hooks, filters on
 *   `git status`), `.hg`, `.svn`, `.bzr`, `_darcs`, `.jj`; `.gitattributes` (names filter and diff
 *   drivers) and `.gitmodules` (submodule URLs, a long history of git CVEs);
 * - shell and environment loaders: `.envrc` (direnv runs it on `cd`), `.env` (loaded into the
 *   environment by many tools: `NODE_OPTIONS=--require ...` runs code);
 * - editors that run tasks on opening a folder: `.vscode`, `.idea`, `.devcontainer`, `.fleet`;
 * - package managers: `.npmrc` (`script-shell`, `node-options`, registry redirects), `.yarnrc`,
 *   `.yarnrc.yml` (`yarnPath` runs any file), `.pnpmfile.cjs`, `.husky` (git hooks).
 *
 * Harmless dotfiles (`.gitignore`, `.editorconfig`, `.prettierrc`) stay allowed.
 */
export const TOOL_NAMES: readonly string[] = Object.freeze([
  '.git',
  '.hg',
  '.svn',
  '.bzr',
  '_darcs',
  '.jj',
  '.gitattributes',
  '.gitmodules',
  '.envrc',
  '.env',
  '.vscode',
  '.idea',
  '.devcontainer',
  '.fleet',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pnpmfile.cjs',
  '.husky',
]);
const TOOL_NAME_SET = new Set(TOOL_NAMES);

/**
 * The tool name `seg` stands for, if any. Windows drops trailing dots and spaces (`.git.` is
 * `.git`) and gives `.git` the short name `GIT~1`, as git itself guards against (`is_ntfs_dotgit`).
 */
function toolName(seg: string): string | undefined {
  const norm = seg.toLowerCase().replace(/[. ]+$/, '');
  if (TOOL_NAME_SET.has(norm)) return norm;
  if (/^git~\d+$/.test(norm)) return '.git';
  return undefined;
}

/**
 * Why `p` is not a usable program path, or undefined when it is: relative, posix separators, no
 * empty, `.` or `..` segments, no control or invisible format character, no tool file or folder
 * (TOOL_NAMES). Checked before anything is written, so a hostile path from a meta agent is refused
 * instead of resolved, and wherever a program enters the host.
 */
export function programPathProblem(p: string): string | undefined {
  if (p.length === 0) return 'the path is empty';
  if (p.includes('\0')) return 'the path contains a NUL byte';
  const unsafe = unsafeCharacter(p);
  if (unsafe !== undefined) {
    return `the path contains a control or invisible format character (${codePointLabel(unsafe)})`;
  }
  if (p.includes('\\')) return 'the path contains a backslash (program paths use /)';
  if (p.startsWith('/')) return 'the path is absolute';
  if (/^[A-Za-z]:/.test(p)) return 'the path starts with a drive letter';
  for (const seg of p.split('/')) {
    if (seg === '') return 'the path has an empty segment (// or a trailing /)';
    if (seg === '.' || seg === '..') return `the path has a '${seg}' segment`;
    const tool = toolName(seg);
    if (tool !== undefined) {
      return `the path has a '${seg}' segment: a tool's configuration (${tool}), which could run code on the operator's machine`;
    }
  }
  return undefined;
}

/**
 * Throws ProgramPathError on the first bad path, or when one path is both a file and a folder
 * (`lib` and `lib/x.mjs`), which no folder can hold.
 */
export function checkProgramPaths(paths: Iterable<string>): void {
  const all = new Set(paths);
  for (const p of all) {
    const problem = programPathProblem(p);
    if (problem) throw new ProgramPathError(`program path '${p}': ${problem}`);
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) {
      const folder = segs.slice(0, i).join('/');
      if (all.has(folder)) throw new ProgramPathError(`program path '${folder}' is both a file and a folder`);
    }
  }
}

/**
 * Normalises a protected-path or meta-path entry: `./` prefix and trailing `/` dropped. Each entry
 * names an exact file or a whole folder (matched at a segment boundary, so `data` covers
 * `data/x.json` but not `database.mjs`).
 */
function normaliseEntry(entry: string): string {
  let e = entry.trim();
  while (e.startsWith('./')) e = e.slice(2);
  while (e.endsWith('/')) e = e.slice(0, -1);
  return e;
}

/** A predicate for "this path is one of `entries` or lies under one of them". */
export function pathMatcher(entries: readonly string[]): (path: string) => boolean {
  const norm = entries.map(normaliseEntry).filter((e) => e.length > 0);
  return (path) => norm.some((e) => path === e || path.startsWith(`${e}/`));
}

/** Union of the paths of two programs, sorted (code-unit order, the same on every machine). */
export function unionPaths(a: ProgramFiles, b: ProgramFiles): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
