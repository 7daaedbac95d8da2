import * as fs from 'fs';
import * as path from 'path';
import { AGENT_CLIENT_PATH } from '../llm';
import { DGM_DIR, HARNESS_DIR, HARNESS_FILES, HARNESS_LLM_CLIENT, SEED_DIR } from './harness';
import { META_AGENT_ENTRY, pathMatcher, readProgramDir, type ProgramFiles } from './program';

export { SEED_DIR };

/*
 * The program layout: each agent is its entry point (at the root, where the harness imports it)
 * plus one folder holding its code and parameters, and imports nothing outside that set. Entries
 * are `pathMatcher` entries (an exact file, or a folder and everything below it). Everything else
 * (select_parent.mjs, memory/, README.md) belongs to neither agent.
 */

/**
 * The meta agent: frozen at the start node's version by the no-self-improve and DGM methods,
 * compared for `metaChanged` (and so the meta-changed approval policy), reset by `reset: meta`.
 */
export const META_SET: readonly string[] = Object.freeze([META_AGENT_ENTRY, 'meta']);
/** The task agent: reset to the seed's by a transfer with `reset: task`. */
export const TASK_SET: readonly string[] = Object.freeze(['task_agent.mjs', 'task']);

export function seedProgram(): Promise<ProgramFiles> {
  return readProgramDir(SEED_DIR);
}

/**
 * Modules of the seed's meta agent that DGM's meta agent uses as they are (the tool loop, the
 * parameter files, the workspace readers, the notes): one source here, copied into each program
 * with the set, since a meta agent imports only from its own set.
 */
const SHARED_META_FILES = ['meta/tool_loop.mjs', 'meta/params.mjs', 'meta/workspace.mjs', 'meta/notes.mjs'];

/**
 * DGM's meta agent as META_SET files (the folder's other files, such as its README, are not part
 * of it) plus the seed's SHARED_META_FILES: the `dgm` method puts it in place of the seed's meta
 * agent at the start node.
 */
export async function dgmMetaAgent(): Promise<ProgramFiles> {
  const inMetaSet = pathMatcher(META_SET);
  const seed = await readProgramDir(SEED_DIR);
  const shared = Object.fromEntries(SHARED_META_FILES.map((p) => [p, seed[p]!] as const));
  return {
    ...shared,
    ...Object.fromEntries(Object.entries(await readProgramDir(DGM_DIR)).filter(([p]) => inMetaSet(p))),
  };
}

let harness: Record<string, string> | undefined;
/**
 * The framework's runner scripts and the LLM client, placed at /work/harness beside the program.
 * They are outside the program, so no edit of the meta agent can reach them.
 */
export function harnessFiles(): Record<string, string> {
  if (!harness) {
    const files: Record<string, string> = {};
    for (const f of HARNESS_FILES) files[`harness/${f}`] = fs.readFileSync(path.join(HARNESS_DIR, f), 'utf8');
    files[`harness/${HARNESS_LLM_CLIENT}`] = fs.readFileSync(AGENT_CLIENT_PATH, 'utf8');
    harness = files;
  }
  return harness;
}

/** The sandbox file map for a program: program/... plus harness/... */
export function sandboxFiles(program: ProgramFiles): Record<string, string> {
  const files: Record<string, string> = { ...harnessFiles() };
  for (const [p, content] of Object.entries(program)) files[`program/${p}`] = content;
  return files;
}
