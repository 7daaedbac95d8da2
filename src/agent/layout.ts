import * as fs from 'fs';
import * as path from 'path';
import { AGENT_CLIENT_PATH } from '../llm';
import { HARNESS_DIR, HARNESS_FILES, HARNESS_LLM_CLIENT, SEED_DIR } from './harness';
import { readProgramDir, type ProgramFiles } from './program';

export { SEED_DIR };

/** Files of the meta agent: frozen by the no-self-improve and DGM ablations, reset by transfer. */
export const META_PATHS = ['meta_agent.mjs'];
/** Files of the task agent, reset by a transfer with `reset: task`. */
export const TASK_PATHS = ['task_agent.mjs', 'params.json'];

export function seedProgram(): Promise<ProgramFiles> {
  return readProgramDir(SEED_DIR);
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
