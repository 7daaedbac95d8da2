import type { GenerationResult, RunConfig, RunState } from '../src/engine/types';

/**
 * The readable lines the Temporal UI shows for a run, its generations and their activities: a
 * child's static summary and details, each activity's summary, the current details of a run or a
 * generation (what it is doing now) and a finished generation's one-line outcome. Pure and
 * deterministic (workflow code calls them); none of it is agent-written text.
 */

/** `gen-7`: the short name people use for generation 7 (node `gen-00007`). */
export function genLabel(generation: number): string {
  return `gen-${generation}`;
}

/** `gen-00003` → `gen-3`; other ids as they are. */
export function shortNode(nodeId: string | null | undefined): string {
  if (!nodeId) return 'none';
  const m = /^gen-0*(\d+)$/.exec(nodeId);
  return m ? `gen-${m[1]}` : nodeId;
}

function score(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2);
}

/** A child generation's static summary: `gen-7 of run-x · dgm-h · paper-review, coding`. */
export function generationSummary(runId: string, generation: number, config: RunConfig): string {
  const what = generation === 0 ? 'start node' : genLabel(generation);
  return `${what} of ${runId} · ${config.method} · ${config.domains.join(', ')}`;
}

/** A child generation's static details (Temporal markdown, several lines): what it was started with. */
export function generationDetails(
  runId: string,
  generation: number,
  config: RunConfig,
  at: { bestScore?: number; bestNodeId?: string; generationsLeft: number; budgetUsd?: number },
): string {
  return [
    `**${genLabel(generation)}** of run \`${runId}\``,
    `- method: ${config.method}${config.selection ? `; selection: ${config.selection}` : ''}`,
    `- domains: ${config.domains.join(', ')}`,
    `- best when started: ${at.bestNodeId ? `${shortNode(at.bestNodeId)} ${score(at.bestScore)}` : 'none yet'}`,
    `- generations left: ${at.generationsLeft}`,
    ...(at.budgetUsd !== undefined ? [`- may spend: $${at.budgetUsd.toFixed(4)}`] : []),
  ].join('\n');
}

/** One evaluation stage, as an activity summary and as the generation's current details. */
export function stageSummary(
  generation: number,
  domain: string,
  split: 'train' | 'val',
  stage: string,
  tasks: number,
): string {
  return `${genLabel(generation)}: evaluating ${domain} ${split} ${stage} (${tasks} tasks)`;
}

/** A finished generation in a line: `gen-7 from gen-3 · meta changed · paper-review 0.61`. */
export function outcomeLine(r: GenerationResult): string {
  const parts = [
    r.generation === 0
      ? `${genLabel(0)} (start node)`
      : `${genLabel(r.generation)} from ${shortNode(r.parentId)}`,
  ];
  if (r.metaChanged) parts.push('meta changed');
  const domains = Object.entries(r.perDomain);
  if (domains.length > 0) parts.push(domains.map(([d, s]) => `${d} ${score(s)}`).join(', '));
  // Not the reasons: they can quote the program's own output, and the UI renders this as markdown.
  if (!r.eligible) parts.push('not eligible');
  if (r.approval) parts.push(`awaiting approval (${r.approval.reason})`);
  if (r.stop) parts.push(r.stop);
  // One line: the UI shows current details in a line, and notes may hold newlines.
  return parts.join(' · ').replace(/\s+/g, ' ');
}

/** The HyperagentsStatus of a finished generation. */
export function generationStatus(r: GenerationResult): string {
  return r.approval ? 'awaiting-approval' : r.eligible ? 'eligible' : 'ineligible';
}

/** The run's current details: what it is doing now, for the Temporal UI. */
export function runDetails(state: RunState, config: RunConfig, running: readonly number[]): string {
  const doing = state.stopReason
    ? state.pending.length > 0
      ? `stopped (${state.stopReason}); awaiting approval of ${state.pending.map((p) => shortNode(p.nodeId)).join(', ')}`
      : `finished: ${state.stopReason}`
    : running.length > 0
      ? `running ${[...running]
          .sort((a, b) => a - b)
          .map(genLabel)
          .join(', ')}${state.paused ? ' (paused: no new generation starts)' : ''}`
      : state.paused
        ? 'paused'
        : 'starting generations';
  const best = state.bestNodeId
    ? `best ${shortNode(state.bestNodeId)} ${score(state.bestScore)}`
    : 'no best yet';
  const pending =
    !state.stopReason && state.pending.length > 0 ? ` · ${state.pending.length} awaiting approval` : '';
  return `${doing} · ${state.generationsDone}/${state.budget.generations} generations done · ${best} · $${state.spentUsd.toFixed(4)} spent${pending} · ${config.method} on ${config.domains.join(', ')}`;
}
