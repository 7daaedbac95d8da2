import type { AnswerCounts, NodeRecord, SplitScore } from '../archive';
import type { RunStatus } from '../engine';
import { UNSAFE_CHARACTERS } from '../util/unsafeText';

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeUnsafe(text: string, keep: string): string {
  return text.replace(UNSAFE_CHARACTERS, (c) => {
    if (keep.includes(c)) return c;
    const code = c.charCodeAt(0);
    return (
      NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`)
    );
  });
}

/**
 * Text written by an agent (a path, a reason, a note), made safe to print as one line: every
 * control character shown as an escape (`\r`, `\n`, `\x1b`, `\x9b`, `\u202e`), not dropped, so the
 * reviewer sees that something is there and nothing can erase, recolour or forge a line.
 */
export function safeText(text: string): string {
  return escapeUnsafe(text, '');
}

/** Like `safeText` for text of many lines (a patch): newlines and tabs stay, to keep its layout. */
export function safeBlock(text: string): string {
  return escapeUnsafe(text, '\n\t');
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but not DEL, the C1 controls or the bidi
 * characters; those become `\u` escapes too, so the output is still JSON of the same value.
 */
export function safeJson(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? String(value)).replace(
    UNSAFE_CHARACTERS,
    // Raw newlines here are the layout's: JSON.stringify escapes those inside strings.
    (c) => (c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/** How the CLI prints a result: text through `safeBlock`, anything else as `safeJson`. */
export function printSafe(x: unknown): void {
  console.log(typeof x === 'string' ? safeBlock(x) : safeJson(x));
}

/**
 * An action whose error message is made printable: messages quote agent text too (a program path
 * the archive refuses, a validator's refusal), and the CLI prints them to the terminal.
 */
export function safely<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (e) {
      if (e instanceof Error) e.message = safeText(e.message);
      throw e;
    }
  };
}

export function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** A plain text table with aligned columns; every cell goes through `safeText`. */
export function table(header: string[], cells: string[][]): string {
  header = header.map(safeText);
  const rows = cells.map((r) => r.map(safeText));
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
    `best ${fmt(s.bestScore)}${s.bestNodeId ? ` (${safeText(s.bestNodeId)})` : ''}`,
    `spent $${s.spentUsd.toFixed(4)}, ${s.spentTokens} tokens`,
  ];
  if (s.running.length) parts.push(`running ${s.running.map((g) => `gen-${g}`).join(',')}`);
  if (s.pending.length)
    parts.push(`awaiting approval: ${s.pending.map((p) => safeText(p.nodeId)).join(', ')}`);
  if (s.paused) parts.push('PAUSED');
  if (s.failures) parts.push(`${s.failures} failed generation(s)`);
  if (s.stopReason) parts.push(`stopped: ${safeText(s.stopReason)}`);
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
