import type { NodeRecord, SplitScore } from '../archive';
import type { RunStatus } from '../engine';
import type { CallRecord } from '../llm';
import type { RunListing } from '../wiring/runOps';
import { fmt, html, STYLE, trusted, type SafeHtml } from './html';
import { byGeneration, meanScoreOf } from './views';

/**
 * The console's pages and `hyperagents report`'s file, as pure functions of their data: every
 * value an agent or a run produced goes through `html` (escaped); only rendered SVG and diff2html's
 * output are trusted markup.
 */

/** The Temporal Web UI's page of a workflow, when a UI is configured. */
export type UiLink = (workflowId?: string) => string | undefined;

export const runPath = (runId: string): string => `/runs/${encodeURIComponent(runId)}`;
export const nodePath = (runId: string, nodeId: string): string =>
  `${runPath(runId)}/nodes/${encodeURIComponent(nodeId)}`;

export interface PageOptions {
  title: string;
  /** The CSP nonce of the page's inline scripts (the console); absent: a page without scripts. */
  nonce?: string;
  /** Inline script, run with `nonce`. */
  script?: string;
  /** More of <head> (the diff viewer's stylesheet). */
  head?: SafeHtml;
  /** Links in the header bar (the console's; the report has none). */
  nav?: boolean;
  /** The run still runs: the script refreshes its live block. */
  live?: boolean;
}

export function page(body: SafeHtml, o: PageOptions): string {
  const script =
    o.script && o.nonce
      ? html`<script nonce="${o.nonce}">
          ${trusted(o.script)};
        </script>`
      : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title}</title><style>${trusted(STYLE)}</style>${o.head ?? ''}</head>
<body${o.live ? trusted(' data-live="yes"') : ''}><header><span class="brand">hyperagents</span>${o.nav ? html`<a href="/">runs</a>` : ''}</header>
<main>${body}</main>${script}</body></html>`.value;
}

// ---- runs -----------------------------------------------------------------------------------------

export interface RunRow {
  listing: RunListing;
  status?: RunStatus;
  /** Why the status could not be read (no worker answered, ...). */
  error?: string;
}

function budgetUsed(s: RunStatus): string {
  const parts = [`${s.generationsDone}/${s.budget.generations} generations`];
  parts.push(
    s.budget.usd !== undefined
      ? `$${s.spentUsd.toFixed(4)} of $${s.budget.usd}`
      : `$${s.spentUsd.toFixed(4)}`,
  );
  parts.push(`${s.spentTokens} tokens`);
  return parts.join(', ');
}

export function runsPage(
  rows: readonly RunRow[],
  o: { nonce?: string; script?: string; limit: number },
): string {
  const body = html`<h1>Runs</h1>
    ${
      rows.length === 0
        ? html`<p>No runs yet: start one with <code>hyperagents run</code>.</p>`
        : html`<table id="runs">
            <thead>
              <tr>
                <th>run</th>
                <th>state</th>
                <th>method</th>
                <th>domains</th>
                <th>best</th>
                <th>budget used</th>
                <th>pending approvals</th>
                <th>started</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(({ listing: l, status: s, error }) => {
                const pending = s?.pending.length ?? 0;
                return html`<tr data-run="${l.runId}">
                  <td><a href="${runPath(l.runId)}">${l.runId}</a></td>
                  <td>
                    ${l.state}${s?.stopReason ? html` <span class="muted">(${s.stopReason})</span>` : ''}${s?.paused ? ' · paused' : ''}
                  </td>
                  <td>${s?.method ?? '—'}</td>
                  <td>${(s?.domains ?? l.domains).join(', ')}</td>
                  <td class="num">${fmt(s?.bestScore ?? l.bestScore)}</td>
                  <td>${s ? budgetUsed(s) : error ? html`<span class="muted">${error}</span>` : '—'}</td>
                  <td class="num ${pending ? 'pending' : ''}">${s ? String(pending) : '—'}</td>
                  <td>${l.startTime.toISOString().replace('T', ' ').slice(0, 19)}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
    }
    <p class="muted">The ${o.limit} newest runs.</p>`;
  return page(body, {
    title: 'hyperagents runs',
    nav: true,
    ...(o.nonce ? { nonce: o.nonce } : {}),
    ...(o.script ? { script: o.script } : {}),
  });
}

// ---- run ------------------------------------------------------------------------------------------

/**
 * What `hyperagents status` shows, as a block the console refreshes; `stages`: what each running
 * generation does now, a line each, as `status --watch` prints them (src/report/progress.ts).
 */
export function liveBlock(
  runId: string,
  s: RunStatus | undefined,
  live: boolean,
  ui: UiLink,
  error?: string,
  stages: readonly string[] = [],
): SafeHtml {
  if (!s)
    return html`<div class="live" id="live">
      <span class="muted">status unavailable: ${error ?? 'unknown'}</span>
    </div>`;
  const genLink = (g: number) => {
    const id = `${runId}/gen-${String(g).padStart(5, '0')}`;
    const href = ui(id);
    return href ? html`<a href="${href}" target="_blank" rel="noopener">gen ${g}</a>` : html`gen ${g}`;
  };
  return html`<div class="live" id="live">
    <div>
      <b>${live ? 'running' : 'ended'}</b>: generation ${s.generationsDone}/${s.budget.generations} (started
      ${s.generationsStarted}) · best
      ${fmt(s.bestScore)}${s.bestNodeId ? html` (<a href="${nodePath(runId, s.bestNodeId)}">${s.bestNodeId}</a>)` : ''}
      · spent $${s.spentUsd.toFixed(4)}, ${s.spentTokens} tokens
    </div>
    ${s.running.length ? html`<div>running: ${s.running.map((g, i) => html`${i ? ', ' : ''}${genLink(g)}`)}</div>` : ''}
    ${stages.map((l) => html`<div class="stage">${l}</div>`)}
    ${s.pending.length ? html`<div class="pending">awaiting approval: ${s.pending.map((p, i) => html`${i ? ', ' : ''}<a href="${nodePath(runId, p.nodeId)}">${p.nodeId}</a>`)}</div>` : ''}
    ${s.paused ? html`<div class="pending">PAUSED</div>` : ''}
    ${s.failures ? html`<div>${s.failures} failed generation(s)</div>` : ''}
    ${s.stopReason ? html`<div>stopped: ${s.stopReason}</div>` : ''}
    ${Object.entries(s.bestPerDomain).map(([d, v]) => html`<div class="muted">best ${d}: ${fmt(v)}</div>`)}
  </div>`;
}

/** Approve / reject with a note and the reviewer's name; the page's script sends it. */
export function decisionForm(runId: string, nodeId: string): SafeHtml {
  return html`<form class="decide" data-run="${runId}" data-node="${nodeId}">
    <label>note <input type="text" name="note" placeholder="why (needed to reject)" /></label>
    <label>reviewer <input type="text" name="reviewer" placeholder="your name" required /></label>
    <button type="button" data-action="approve">Approve</button
    ><button type="button" data-action="reject">Reject</button> <output class="msg" role="status"></output>
  </form>`;
}

export interface RunPageData {
  runId: string;
  status?: RunStatus;
  live: boolean;
  statusError?: string;
  /** What each running generation does now, a line each. */
  stages?: readonly string[];
  nodes: readonly NodeRecord[];
  /** Rendered SVG of the charts. */
  svg: { scores: string; spend: string; tree: string };
  ui: UiLink;
  /** `report`: one self-contained file, node links within it, no forms and no script. */
  mode: 'console' | 'report';
  nonce?: string;
  script?: string;
  generatedAt?: string;
}

function splitCell(s: SplitScore | undefined): SafeHtml {
  if (!s) return html`<td class="num muted">—</td>`;
  const why =
    s.incomplete !== undefined ? `incomplete: ${s.incomplete}` : `${s.evaluated}/${s.total} (${s.basis})`;
  return html`<td class="num" title="${why}">${fmt(s.score)}${s.incomplete !== undefined ? '!' : ''}</td>`;
}

export function runPage(d: RunPageData): string {
  const domains = d.status?.domains ?? [...new Set(d.nodes.flatMap((n) => Object.keys(n.scores)))].sort();
  const link = (nodeId: string) => (d.mode === 'report' ? `#node-${nodeId}` : nodePath(d.runId, nodeId));
  const runUi = d.ui(d.runId);
  const genUi = (n: NodeRecord) => d.ui(`${d.runId}/${n.nodeId}`);
  const pending = d.status?.pending ?? [];
  const body = html`<h1>Run ${d.runId}</h1>
    <p>
      ${d.status ? html`${d.status.method} · domains ${domains.join(', ')}` : ''}
      ${runUi ? html` · <a href="${runUi}" target="_blank" rel="noopener">Temporal UI</a>` : ''}
      ${d.generatedAt ? html` · <span class="muted">report generated ${d.generatedAt}</span>` : ''}
    </p>
    <h2>Now</h2>
    ${liveBlock(d.runId, d.status, d.live, d.ui, d.statusError, d.stages)}
    ${
      pending.length
        ? html`<h2>Pending approvals</h2>
            <table id="pending">
              <thead>
                <tr>
                  <th>node</th>
                  <th>generation</th>
                  <th>reason</th>
                  <th>score</th>
                  ${d.mode === 'console' ? html`<th>decision</th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${pending.map(
                  (p) =>
                    html`<tr data-node="${p.nodeId}">
                      <td><a href="${link(p.nodeId)}">${p.nodeId}</a></td>
                      <td class="num">${p.generation}</td>
                      <td>${p.reason}</td>
                      <td class="num">${fmt(p.score)}</td>
                      ${d.mode === 'console' ? html`<td>${decisionForm(d.runId, p.nodeId)}</td>` : ''}
                    </tr>`,
                )}
              </tbody>
            </table>`
        : ''
    }
    <h2>Scores over generations</h2>
    <div class="chart" id="chart-scores">${trusted(d.svg.scores)}</div>
    <h2>Archive tree</h2>
    <p class="legend">
      Colour: mean score (val, else train) · ◆ meta agent changed · faint, dashed: not eligible as a parent ·
      orange ring, “pending”: awaiting approval · ✓ approved · ✗
      rejected${d.mode === 'console' ? ' · click a node for its page' : ''}
    </p>
    <div class="chart" id="chart-tree">${trusted(d.svg.tree)}</div>
    <h2>Cost and tokens over time</h2>
    <p class="legend">
      What the self-modification sessions that made the nodes spent, as each node was stored; the run's whole
      spend (evaluations included) is under Now.
    </p>
    <div class="chart" id="chart-spend">${trusted(d.svg.spend)}</div>
    <h2>Nodes</h2>
    <table id="nodes">
      <thead>
        <tr>
          <th>node</th>
          <th>parent</th>
          <th>strategy</th>
          <th>meta changed</th>
          <th>valid</th>
          <th>approval</th>
          ${domains.map(
            (dm) =>
              html`<th>${dm} train</th>
                <th>${dm} val</th>`,
          )}
          <th>mean</th>
          <th>cost</th>
          <th>tokens</th>
          <th>Temporal</th>
        </tr>
      </thead>
      <tbody>
        ${byGeneration(d.nodes).map((n) => {
          const ui = genUi(n);
          return html`<tr id="node-${n.nodeId}">
            <td><a href="${link(n.nodeId)}">${n.nodeId}</a></td>
            <td>${n.parentId ?? '—'}</td>
            <td>${n.strategy}</td>
            <td>${n.metaChanged ? 'yes' : 'no'}</td>
            <td>
              ${n.validation.passed ? 'ok' : html`<span title="${n.validation.reasons.join('; ')}">no</span>`}
            </td>
            <td class="${n.approval?.status ?? ''}">
              ${n.approval?.status ?? ''}${n.approval?.by ? html` <span class="muted">by ${n.approval.by}</span>` : ''}
            </td>
            ${domains.map((dm) => html`${splitCell(n.scores[dm]?.train)}${splitCell(n.scores[dm]?.val)}`)}
            <td class="num">${fmt(meanScoreOf(n, domains))}</td>
            <td class="num">$${n.costUsd.toFixed(4)}</td>
            <td class="num">${n.tokens}</td>
            <td>
              ${ui && n.generation > 0 ? html`<a href="${ui}" target="_blank" rel="noopener">workflow</a>` : ''}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  return page(body, {
    title: `${d.runId} · hyperagents`,
    nav: d.mode === 'console',
    live: d.live && d.mode === 'console',
    ...(d.nonce ? { nonce: d.nonce } : {}),
    ...(d.script ? { script: d.script } : {}),
  });
}

// ---- node -----------------------------------------------------------------------------------------

export interface NodePageData {
  runId: string;
  node: NodeRecord;
  /** The lineage's root (the start node), for the diff against the seed. */
  rootId: string;
  /** diff2html output (trusted: it escapes names and lines), or a message why there is none. */
  parentDiff?: { html: string; wholeFile: string[] };
  rootDiff?: { html: string; wholeFile: string[] };
  notes?: string;
  calls?: readonly CallRecord[];
  ui: UiLink;
  pendingDecision: boolean;
  nonce?: string;
  script?: string;
}

function diffSection(title: string, id: string, diff: NodePageData['parentDiff'], none: string): SafeHtml {
  return html`<h2>${title}</h2>
    ${
      diff
        ? html`${diff.wholeFile.length ? html`<p class="muted">shown whole (too many changed lines): ${diff.wholeFile.join(', ')}</p>` : ''}
            <div class="diff" id="${id}">${trusted(diff.html)}</div>`
        : html`<p class="muted">${none}</p>`
    }`;
}

function callSummary(calls: readonly CallRecord[]): SafeHtml {
  const by = (key: (c: CallRecord) => string) => {
    const m = new Map<string, number>();
    for (const c of calls) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
    return [...m].map(([k, v]) => `${k} ${v}`).join(', ');
  };
  const tokens = calls.reduce((a, c) => a + c.usage.promptTokens + c.usage.completionTokens, 0);
  const usd = calls.reduce((a, c) => a + (c.outcome === 'upstream' ? c.costUsd : 0), 0);
  const latency = calls.reduce((a, c) => a + c.latencyMs, 0);
  return html`<p>
      ${calls.length} call(s): ${by((c) => c.outcome)} · roles: ${by((c) => c.role ?? '—')} · models:
      ${by((c) => c.model ?? '—')} · ${tokens} tokens · $${usd.toFixed(4)} · ${(latency / 1000).toFixed(1)} s
      in all
    </p>
    <table id="calls">
      <thead>
        <tr>
          <th>started</th>
          <th>role</th>
          <th>model</th>
          <th>outcome</th>
          <th>status</th>
          <th>tokens in/out</th>
          <th>cost</th>
          <th>latency</th>
          <th>error</th>
        </tr>
      </thead>
      <tbody>
        ${calls.slice(0, 200).map(
          (c) =>
            html`<tr>
              <td>${c.startedAt}</td>
              <td>${c.role ?? '—'}</td>
              <td>${c.model ?? '—'}</td>
              <td>${c.outcome}</td>
              <td class="num">${c.status}</td>
              <td class="num">
                ${c.usage.promptTokens}/${c.usage.completionTokens}${c.usageEstimated ? ' (est.)' : ''}
              </td>
              <td class="num">$${c.costUsd.toFixed(5)}</td>
              <td class="num">${c.latencyMs} ms</td>
              <td>${c.error ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${calls.length > 200 ? html`<p class="muted">first 200 of ${calls.length} shown</p>` : ''}`;
}

export function nodePage(d: NodePageData): string {
  const n = d.node;
  const domains = Object.keys(n.scores).sort();
  const ui = n.generation > 0 ? d.ui(`${d.runId}/${n.nodeId}`) : undefined;
  const a = n.approval;
  const body = html`<p><a href="${runPath(d.runId)}">← run ${d.runId}</a></p>
    <h1>Node ${n.nodeId}</h1>
    <p>
      generation ${n.generation} · parent
      ${n.parentId ? html`<a href="${nodePath(d.runId, n.parentId)}">${n.parentId}</a>` : '— (start node)'} ·
      strategy ${n.strategy} · meta agent ${n.metaOutcome}${n.metaChanged ? ' · meta agent changed' : ''} ·
      created ${n.createdAt} · $${n.costUsd.toFixed(4)}, ${n.tokens}
      tokens${ui ? html` · <a href="${ui}" target="_blank" rel="noopener">Temporal UI</a>` : ''}
    </p>
    <h2>Scores</h2>
    <table id="scores">
      <thead>
        <tr>
          <th>domain</th>
          <th>train</th>
          <th>val</th>
          <th>test</th>
        </tr>
      </thead>
      <tbody>
        ${domains.map(
          (dm) =>
            html`<tr>
              <td>${dm}</td>
              ${splitCell(n.scores[dm]?.train)}${splitCell(n.scores[dm]?.val)}${splitCell(n.scores[dm]?.test)}
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Checks and approval</h2>
    <ul>
      <li>
        validation: ${n.validation.passed ? 'passed' : html`failed: ${n.validation.reasons.join('; ')}`}
      </li>
      ${n.patchEmpty ? html`<li>empty patch</li>` : ''}
      ${n.revertedPaths.length ? html`<li>protected paths reverted: ${n.revertedPaths.join(', ')}</li>` : ''}
      ${n.budgetRefusal ? html`<li>budget refused LLM calls: ${n.budgetRefusal}</li>` : ''}
      ${n.barred ? html`<li>barred as a parent: ${n.barredReason ?? ''}</li>` : ''}
      <li id="approval">
        approval:
        ${a ? html`<span class="${a.status}">${a.status}</span>${a.by ? html` by ${a.by}` : ''}${a.at ? html` at ${a.at}` : ''}${a.note ? html` · note: <q class="note">${a.note}</q>` : ''}` : 'not required'}
      </li>
    </ul>
    ${d.pendingDecision ? decisionForm(d.runId, n.nodeId) : ''}
    <div class="promote">
      <button
        type="button"
        id="promote"
        data-run="${d.runId}"
        data-node="${n.nodeId}"
        ${a?.status === 'approved' ? '' : trusted('disabled')}
        title="${a?.status === 'approved' ? 'promote to releases/ (held-out test and checks first)' : 'only an approved node can be promoted'}"
      >
        Promote
      </button>
      <output class="msg" role="status"></output>
    </div>
    <h2>Changed paths</h2>
    <p>${n.changedPaths.length ? n.changedPaths.join(', ') : html`<span class="muted">none</span>`}</p>
    ${diffSection('Diff against the parent', 'diff-parent', d.parentDiff, n.parentId ? 'no difference' : 'the start node has no parent')}
    ${diffSection(`Diff against the seed (${d.rootId})`, 'diff-seed', d.rootDiff, d.rootId === n.nodeId ? 'this is the start node' : 'no difference')}
    <h2>Meta agent's notes (memory/notes.md)</h2>
    ${d.notes !== undefined ? html`<pre class="notes" id="notes">${d.notes}</pre>` : html`<p class="muted">no notes</p>`}
    <h2>LLM calls of the session that made it</h2>
    ${d.calls && d.calls.length ? callSummary(d.calls) : html`<p class="muted">none recorded${n.strategy === 'offline' ? ' (offline strategy: no LLM)' : ''}</p>`}`;
  return page(body, {
    title: `${n.nodeId} · ${d.runId} · hyperagents`,
    nav: true,
    head: html`<link rel="stylesheet" href="/assets/diff2html.min.css" />`,
    ...(d.nonce ? { nonce: d.nonce } : {}),
    ...(d.script ? { script: d.script } : {}),
  });
}
