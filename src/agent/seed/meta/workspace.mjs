/**
 * What the LLM strategy puts of the engine's workspace (ctx.workspace: the archive summary, the
 * parent's train examples, a script to try the task agent) into its opening prompt. The files stay
 * complete in workspace/; the prompt gets a budgeted part of them and their names, so the model can
 * read the rest with its tools.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A rough token count (about four characters a token for JSON and English). */
export const estimateTokens = (text) => Math.ceil(text.length / 4);

/**
 * The archive summary as prompt text within `tokenBudget`: one JSON line per node, kept in the
 * summary's order (the lineage, then the newest others: the engine orders it so), cut when the
 * budget runs out, with a line saying how many were left out.
 */
export function summaryForPrompt(summary, tokenBudget) {
  const nodes = Array.isArray(summary?.nodes) ? summary.nodes : [];
  const head = JSON.stringify({
    you: summary?.nodeId,
    domains: summary?.domains,
    lineage: summary?.lineage,
  });
  const lines = [head];
  let used = estimateTokens(head);
  let kept = 0;
  for (const node of nodes) {
    const line = JSON.stringify(node);
    if (used + estimateTokens(line) > tokenBudget) break;
    lines.push(line);
    used += estimateTokens(line);
    kept++;
  }
  if (kept < nodes.length)
    lines.push(`[... ${nodes.length - kept} older node(s) left out; all are in the file]`);
  return lines.join('\n');
}

const cut = (value, max) => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  return text.length > max ? `${text.slice(0, max)} [... cut]` : text;
};

/**
 * Up to `count` train examples the parent got wrong (score below 1), taken from the domains in turn
 * so each domain is shown, as prompt text with each field cut to `maxChars`.
 */
export function failedExamplesForPrompt(sets, count, maxChars) {
  const failed = sets.map((s) =>
    (s.examples ?? []).filter((e) => e.score < 1).map((e) => ({ domain: s.domain, e })),
  );
  const chosen = [];
  for (let i = 0; chosen.length < count && failed.some((f) => f.length > i); i++)
    for (const f of failed) if (f[i] && chosen.length < count) chosen.push(f[i]);
  return chosen.map(({ domain, e }) =>
    [
      `## ${domain} ${e.id} (score ${e.score}, answered by: ${e.answer ?? 'unknown'})`,
      `input: ${cut(e.input, maxChars)}`,
      e.error !== undefined
        ? `error: ${cut(e.error, maxChars)}`
        : `prediction: ${cut(e.prediction, maxChars)}`,
      `label: ${cut(e.label, maxChars)}`,
      ...(e.details !== undefined ? [`details: ${cut(e.details, maxChars)}`] : []),
      ...(e.trace !== undefined ? [`trace: ${cut(e.trace, maxChars)}`] : []),
    ].join('\n'),
  );
}

/** The examples files of the workspace, parsed; unreadable ones are skipped. */
export function readExampleSets(repoDir, workspace) {
  return Object.values(workspace?.examples ?? {}).flatMap((file) => {
    try {
      return [JSON.parse(readFileSync(path.join(repoDir, file), 'utf8'))];
    } catch {
      return [];
    }
  });
}
