import type { AnswerCounts, NodeRecord, SplitScore } from '../archive';
import type { RunStatus } from '../engine';

export function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** A plain text table with aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function progressLine(s: RunStatus): string {
  const parts = [
    `generation ${s.generationsDone}/${s.budget.generations}`,
    `best ${fmt(s.bestScore)}${s.bestNodeId ? ` (${s.bestNodeId})` : ''}`,
    `spent $${s.spentUsd.toFixed(4)}, ${s.spentTokens} tokens`,
  ];
  if (s.running.length) parts.push(`running ${s.running.map((g) => `gen-${g}`).join(',')}`);
  if (s.pending.length) parts.push(`awaiting approval: ${s.pending.map((p) => p.nodeId).join(', ')}`);
  if (s.paused) parts.push('PAUSED');
  if (s.failures) parts.push(`${s.failures} failed generation(s)`);
  if (s.stopReason) parts.push(`stopped: ${s.stopReason}`);
  return parts.join(' · ');
}

/** A split's score; `!` marks an incomplete evaluation (LLM calls refused or failed while it ran). */
function splitCell(s: SplitScore | undefined): string {
  return `${fmt(s?.score, 2)}${s?.incomplete !== undefined ? '!' : ''}`;
}

/** Answers of one split summed over the domains: model/fallback/offline/failed. */
function answersCell(n: NodeRecord, domains: string[], split: 'train' | 'val'): string {
  const sum = { model: 0, fallback: 0, offline: 0, failed: 0 };
  let any = false;
  for (const d of domains) {
    const a = n.scores[d]?.[split]?.answers;
    if (!a) continue;
    any = true;
    for (const k of Object.keys(sum) as Array<keyof AnswerCounts>) sum[k] += a[k];
  }
  return any ? `${sum.model}/${sum.fallback}/${sum.offline}/${sum.failed}` : '—';
}

export function archiveTable(nodes: NodeRecord[], domains: string[]): string {
  const rows = nodes.map((n) => [
    n.nodeId,
    n.parentId ?? '—',
    n.strategy,
    n.metaChanged ? 'yes' : 'no',
    n.validation.passed ? 'ok' : `no (${n.validation.reasons[0] ?? ''})`.slice(0, 40),
    ...domains.map((d) => `${splitCell(n.scores[d]?.train)}/${splitCell(n.scores[d]?.val)}`),
    `${answersCell(n, domains, 'train')} | ${answersCell(n, domains, 'val')}`,
    n.approval?.status ?? '',
    n.barred ? 'barred' : '',
  ]);
  const legend = 'answers tr | val (model/fallback/offline/failed)';
  const header = [
    'node',
    'parent',
    'strategy',
    'meta Δ',
    'valid',
    ...domains.map((d) => `${d} tr/val`),
    legend,
  ];
  const notes = nodes.some((n) =>
    domains.some((d) => n.scores[d]?.train?.incomplete ?? n.scores[d]?.val?.incomplete),
  )
    ? '\n! incomplete: LLM calls were refused or failed during that evaluation; the node is not ranked on it'
    : '';
  return table([...header, 'approval', ''], rows) + notes;
}

/** Initial vs best, per domain, on validation and test. */
export function resultsTable(
  start: NodeRecord | undefined,
  best: NodeRecord | undefined,
  domains: string[],
): string {
  const rows = domains.map((d) => [
    d,
    fmt(start?.scores[d]?.val?.score),
    fmt(best?.scores[d]?.val?.score),
    fmt(start?.scores[d]?.test?.score),
    fmt(best?.scores[d]?.test?.score),
  ]);
  return table(
    ['domain', 'initial val', `best val (${best?.nodeId ?? '—'})`, 'initial test', 'best test'],
    rows,
  );
}
