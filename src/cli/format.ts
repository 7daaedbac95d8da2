import type { NodeRecord } from '../archive';
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

export function archiveTable(nodes: NodeRecord[], domains: string[]): string {
  const rows = nodes.map((n) => [
    n.nodeId,
    n.parentId ?? '—',
    n.strategy,
    n.metaChanged ? 'yes' : 'no',
    n.validation.passed ? 'ok' : `no (${n.validation.reasons[0] ?? ''})`.slice(0, 40),
    ...domains.map((d) => `${fmt(n.scores[d]?.train?.score, 2)}/${fmt(n.scores[d]?.val?.score, 2)}`),
    n.approval?.status ?? '',
    n.barred ? 'barred' : '',
  ]);
  return table(
    ['node', 'parent', 'strategy', 'meta Δ', 'valid', ...domains.map((d) => `${d} tr/val`), 'approval', ''],
    rows,
  );
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
