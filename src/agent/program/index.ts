export {
  checkProgramPaths,
  programPathProblem,
  pathMatcher,
  ProgramPathError,
  TOOL_NAMES,
  type ProgramFiles,
} from './paths';
export { programHash } from './hash';
export {
  programFromOutputs,
  readProgramDir,
  scanProgramDir,
  writeProgramDir,
  ProgramFolderError,
  DEFAULT_READ_LIMITS,
  type ReadLimits,
  type ProgramFromOutputs,
  type ProgramScan,
  type SkippedPath,
} from './files';
export { diffPrograms, patchIsEmpty, type ProgramDiff } from './diff';
export { restoreProtected, replaceSet, metaAgentChanged, META_AGENT_ENTRY, type Restored } from './protect';
