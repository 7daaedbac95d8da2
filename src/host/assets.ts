/**
 * Where the project's own files are, whether this code runs compiled from dist/ (the CLI, the
 * worker) or as TypeScript under ts-jest. `npm run build` compiles the repository root into dist/
 * (tsconfig.build.json: rootDir `.`, so src/a/b.ts becomes dist/src/a/b.js) and infra/copy-assets.js
 * copies the non-TypeScript files the runtime reads (.mjs, .json, .md under src/) beside the output,
 * so a build is self-contained and every file has one path relative to the tree the code runs from.
 */
import * as path from 'path';

/** True when this module is compiled JavaScript, i.e. the code runs from dist/. */
export const runsFromBuild = path.extname(__filename) === '.js';

/** The repository root (the folder holding package.json), from source and from a build alike. */
export const projectRoot = path.resolve(__dirname, '..', '..', runsFromBuild ? '..' : '');

const buildRoot = path.join(projectRoot, 'dist');

/** The compiled path of a source file: a .ts name becomes .js, other files keep their name. */
function compiled(sourcePath: string): string {
  return sourcePath.endsWith('.ts') ? `${sourcePath.slice(0, -'.ts'.length)}.js` : sourcePath;
}

/**
 * The file the running code should read for `sourcePath` (relative to the repository root, as in
 * the repository, e.g. `src/llm/agent-client.mjs` or `workflows/index.ts`): the source itself under
 * ts-jest, its compiled or copied counterpart in dist/ when running from a build.
 */
export function sourceOrBuilt(sourcePath: string): string {
  return runsFromBuild ? path.join(buildRoot, compiled(sourcePath)) : path.join(projectRoot, sourcePath);
}

/**
 * The compiled JavaScript of `sourcePath` in dist/, also under ts-jest: for a file that a separate
 * `node` process must run (it cannot run TypeScript), which therefore needs `npm run build` first.
 */
export function builtFile(sourcePath: string): string {
  return path.join(buildRoot, compiled(sourcePath));
}
