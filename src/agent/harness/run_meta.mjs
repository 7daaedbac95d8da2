/**
 * Runs the program's meta agent once. stdin: { history, generationsLeft, seed, domains,
 * limits: { maxTurns?, timeLimitMs? | deadlineMs?, bashTimeoutMs? } }. stdout: { strategy, summary, turns },
 * or { error } with exit code 1. argv[2]: the program folder (default ../program), which the meta
 * agent edits in place through tools confined to it. The engine may have written a workspace into
 * it (src/agent/workspace); its manifest becomes `ctx.workspace`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  availableLlmClient,
  fail,
  messageOf,
  programDirFromArgv,
  programModuleUrl,
  protectStdout,
  readStdinJson,
} from './common.mjs';
import { createRng } from './rng.mjs';
import { createTools } from './tools.mjs';

const DEFAULT_TIME_LIMIT_MS = 30 * 60_000;
const WORKSPACE_MANIFEST = 'workspace/index.json';

/** The workspace's file paths (relative to the program folder), or null when the engine wrote none. */
function workspaceOf(programDir) {
  try {
    return JSON.parse(readFileSync(path.join(programDir, WORKSPACE_MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}
const GRACE_MS = 10_000;

const emit = protectStdout();
try {
  const request = await readStdinJson();
  const programDir = programDirFromArgv();
  const limits = request.limits ?? {};
  const deadlineMs = limits.deadlineMs ?? Date.now() + (limits.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  // A meta agent that ignores its deadline still ends: the harness answers for it.
  setTimeout(
    () => fail(emit, new Error('the meta agent did not finish within its time limit')),
    Math.max(0, deadlineMs - Date.now()) + GRACE_MS,
  ).unref();

  const tools = createTools(programDir, { bashTimeoutMs: limits.bashTimeoutMs ?? 120_000 });
  const ctx = {
    repoDir: tools.root,
    history: request.history ?? [],
    generationsLeft: request.generationsLeft ?? 0,
    llm: await availableLlmClient(),
    tools: { bash: tools.bash, view: tools.view, create: tools.create, strReplace: tools.strReplace },
    rng: createRng(request.seed ?? 0),
    domains: Array.isArray(request.domains) ? request.domains : [],
    workspace: workspaceOf(programDir),
    limits: { maxTurns: limits.maxTurns ?? 30, deadlineMs },
  };

  let metaAgent;
  try {
    metaAgent = await import(programModuleUrl(programDir, 'meta_agent.mjs'));
  } catch (error) {
    throw new Error(`meta_agent.mjs does not load: ${messageOf(error)}`);
  }
  if (typeof metaAgent.improve !== 'function')
    throw new Error('meta_agent.mjs does not export a function improve');
  const out = await metaAgent.improve(ctx);
  if (out?.strategy !== 'llm' && out?.strategy !== 'offline') {
    throw new Error(
      `improve() must return { strategy: 'llm' | 'offline', ... }, got ${JSON.stringify(out?.strategy)}`,
    );
  }
  await emit({
    strategy: out.strategy,
    summary: String(out.summary ?? ''),
    turns: Number.isFinite(out.turns) ? out.turns : 0,
  });
  process.exit(0);
} catch (error) {
  await fail(emit, error);
}
