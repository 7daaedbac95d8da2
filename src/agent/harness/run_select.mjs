/**
 * Runs the program's own parent selector. stdin: the editable-selector input
 * (schema hyperagents.select_parent.v1). stdout: { parentId }, or { error } with exit code 1.
 * The engine checks that the id is one of the candidates.
 */
// Every harness script takes its protocol helpers from common.mjs, so their import lists look alike.
import {
  fail,
  messageOf,
  programDirFromArgv,
  programModuleUrl,
  protectStdout,
  readStdinJson,
} from './common.mjs';

const emit = protectStdout();
try {
  const input = await readStdinJson();
  let selector;
  try {
    selector = await import(programModuleUrl(programDirFromArgv(), 'select_parent.mjs'));
  } catch (error) {
    throw new Error(`select_parent.mjs does not load: ${messageOf(error)}`);
  }
  if (typeof selector.selectParent !== 'function') {
    throw new Error('select_parent.mjs does not export a function selectParent');
  }
  const out = await selector.selectParent(input);
  if (typeof out?.parentId !== 'string') throw new Error('selectParent() returned no string parentId');
  await emit({ parentId: out.parentId });
  process.exit(0);
} catch (error) {
  await fail(emit, error);
}
