/**
 * Chart specs, pure: data in, a Vega-Lite spec (plain JSON) out. Rendering (vega + vega-lite, to
 * SVG) is the caller's: the bench scripts render headless in node, and a console can render the same
 * spec in a browser.
 */

/** A Vega-Lite top-level spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** One point of a method's curve on one domain. */
export interface CurvePoint {
  method: string;
  domain: string;
  generation: number;
  score: number;
}

/**
 * Score over generations: one panel per domain, one line per method (colour and point shape by
 * method), generation on x, the score on y (0 to 1 unless a score lies outside).
 */
export function scoreOverGenerationsSpec(
  points: readonly CurvePoint[],
  opts: { title?: string; yTitle?: string } = {},
): VegaLiteSpec {
  const methods = [...new Set(points.map((p) => p.method))];
  const lo = Math.min(0, ...points.map((p) => p.score));
  const hi = Math.max(1, ...points.map((p) => p.score));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: opts.title } : {}),
    data: { values: points.map((p) => ({ ...p })) },
    facet: { column: { field: 'domain', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1 } },
        y: {
          field: 'score',
          type: 'quantitative',
          title: opts.yTitle ?? 'score',
          scale: { domain: [lo, hi] },
        },
        color: { field: 'method', type: 'nominal', sort: methods, title: 'method' },
        shape: { field: 'method', type: 'nominal', sort: methods, title: 'method' },
      },
    },
    config: { background: 'white' },
  };
}

/** A Vega spec (plain JSON), for what Vega-Lite cannot say (the archive tree's layout). */
export type VegaSpec = Record<string, unknown>;

/** One evaluated score of one node: the run's own curve (the console, `hyperagents report`). */
export interface RunScorePoint {
  domain: string;
  split: 'train' | 'val';
  generation: number;
  nodeId: string;
  score: number;
}

/**
 * A run's scores over generations: one panel per domain, every node's train and val score as a
 * point, and per split the best so far as a step line.
 */
export function runScoresSpec(points: readonly RunScorePoint[], opts: { title?: string } = {}): VegaLiteSpec {
  const best: Array<{ domain: string; series: string; generation: number; score: number }> = [];
  for (const domain of [...new Set(points.map((p) => p.domain))]) {
    for (const split of ['train', 'val'] as const) {
      let top = -Infinity;
      const mine = points
        .filter((p) => p.domain === domain && p.split === split)
        .sort((a, b) => a.generation - b.generation);
      for (const p of mine) {
        top = Math.max(top, p.score);
        best.push({ domain, series: `best ${split} so far`, generation: p.generation, score: top });
      }
    }
  }
  const lo = Math.min(0, ...points.map((p) => p.score));
  const hi = Math.max(1, ...points.map((p) => p.score));
  const series = ['train', 'val', 'best train so far', 'best val so far'];
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series, range: ['#9ecae1', '#fdae6b', '#3182bd', '#e6550d'] },
  };
  const x = { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1 } };
  const y = { field: 'score', type: 'quantitative', title: 'score', scale: { domain: [lo, hi] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: opts.title } : {}),
    data: {
      values: [
        ...points.map((p) => ({ ...p, series: p.split })),
        ...best.map((b) => ({ ...b, split: b.series.split(' ')[1] })),
      ],
    },
    facet: { column: { field: 'domain', type: 'nominal', title: null } },
    spec: {
      width: 280,
      height: 200,
      layer: [
        {
          transform: [{ filter: "datum.series === 'train' || datum.series === 'val'" }],
          mark: { type: 'point', filled: true, size: 40, opacity: 0.7 },
          encoding: { x, y, color, tooltip: [{ field: 'nodeId' }, { field: 'series' }, { field: 'score' }] },
        },
        {
          transform: [{ filter: "datum.series !== 'train' && datum.series !== 'val'" }],
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
          encoding: { x, y, color },
        },
      ],
    },
    config: { background: 'white' },
  };
}

/** What a run had spent when a node was stored: its running totals. */
export interface SpendPoint {
  generation: number;
  /** ISO time the node was stored. */
  at: string;
  usd: number;
  tokens: number;
}

/** Cumulative cost (USD) and LLM tokens over time, side by side, a point per node. */
export function spendOverTimeSpec(
  points: readonly SpendPoint[],
  opts: { title?: string } = {},
): VegaLiteSpec {
  const panel = (field: 'usd' | 'tokens', title: string) => ({
    width: 280,
    height: 180,
    mark: { type: 'line', point: true, interpolate: 'step-after' },
    encoding: {
      x: { field: 'at', type: 'temporal', title: 'time' },
      y: {
        field,
        type: 'quantitative',
        title,
        scale: { domainMin: 0, nice: true },
        axis: { format: field === 'usd' ? '.4~f' : '~s' },
      },
      tooltip: [{ field: 'generation' }, { field }],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: opts.title } : {}),
    data: { values: points.map((p) => ({ ...p })) },
    hconcat: [panel('usd', 'USD (cumulative)'), panel('tokens', 'LLM tokens (cumulative)')],
    config: { background: 'white' },
  };
}

/** One archive node as the tree draws it. */
export interface TreeNode {
  id: string;
  parent: string | null;
  /** Mean ranking score, when the node has one. */
  score?: number;
  /** Its meta agent changed (drawn as a diamond). */
  metaChanged: boolean;
  /** Eligible as a parent (ineligible nodes are drawn faint, with a dashed outline). */
  eligible: boolean;
  approval?: 'pending' | 'approved' | 'rejected';
  /** The node's page; absent: no link. */
  href?: string;
}

/** The colour scale's domain: the scores' range, widened around a single value so it shows mid-scale. */
function scoreDomain(scores: readonly number[]): [number, number] {
  if (scores.length === 0) return [0, 1];
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  return hi - lo < 1e-9 ? [lo - 0.05, hi + 0.05] : [lo, hi];
}

/** The mark name of the tree's nodes: the SVG's `g.mark-symbol.role-mark.<name>` holds one path per node. */
export const TREE_NODE_MARK = 'archive-nodes';

/**
 * The archive as a tree (Vega: `stratify` + `tree` layout), root on the left, a column per depth;
 * nodes coloured by score, diamonds where the meta agent changed, faint and dashed where
 * ineligible, approvals marked (`pending` and an orange ring, ✓ approved, ✗ rejected), each node a link to its page.
 */
export function archiveTreeSpec(nodes: readonly TreeNode[]): VegaSpec {
  const depth = new Map<string, number>();
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  const depthOf = (id: string, seen = 0): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const parent = byId.get(id)?.parent;
    const d = parent && byId.has(parent) && seen < nodes.length ? depthOf(parent, seen + 1) + 1 : 0;
    depth.set(id, d);
    return d;
  };
  const maxDepth = Math.max(0, ...nodes.map((n) => depthOf(n.id)));
  const leaves = nodes.filter((n) => !nodes.some((m) => m.parent === n.id)).length;
  // Room for the last column's labels (`g12 pending`) right of its nodes.
  const width = Math.max(240, 90 * (maxDepth + 1) + 90);
  const height = Math.max(120, 26 * Math.max(1, leaves));
  const mark = { pending: 'pending', approved: '✓', rejected: '✗' } as const;
  const scores = nodes.flatMap((n) => (n.score === undefined ? [] : [n.score]));
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width,
    height,
    padding: 10,
    background: 'white',
    data: [
      {
        name: 'tree',
        values: nodes.map((n) => ({
          id: n.id,
          // A parent the listing lacks would break stratify: such a node is drawn as a root.
          parent: n.parent && byId.has(n.parent) ? n.parent : null,
          score: n.score ?? null,
          meta: n.metaChanged,
          eligible: n.eligible,
          approval: n.approval ?? null,
          approvalMark: n.approval ? mark[n.approval] : '',
          label: n.id.replace(/^gen-0*(?=\d)/, 'g'),
          href: n.href ?? null,
        })),
        transform: [
          { type: 'stratify', key: 'id', parentKey: 'parent' },
          {
            type: 'tree',
            method: 'tidy',
            size: [{ signal: 'height' }, { signal: 'width - 90' }],
            as: ['y', 'x', 'depth', 'children'],
          },
        ],
      },
      {
        name: 'links',
        source: 'tree',
        transform: [
          { type: 'treelinks' },
          {
            type: 'linkpath',
            orient: 'horizontal',
            shape: 'diagonal',
            sourceX: 'source.x',
            sourceY: 'source.y',
            targetX: 'target.x',
            targetY: 'target.y',
          },
        ],
      },
    ],
    scales: [
      {
        name: 'color',
        type: 'linear',
        zero: false,
        domain: scoreDomain(scores),
        range: { scheme: 'viridis' },
      },
    ],
    legends: scores.length
      ? [{ fill: 'color', title: 'score', orient: 'right', gradientLength: 80, format: '.3f' }]
      : [],
    marks: [
      {
        type: 'path',
        from: { data: 'links' },
        encode: { update: { path: { field: 'path' }, stroke: { value: '#bbb' } } },
      },
      {
        type: 'symbol',
        name: TREE_NODE_MARK,
        from: { data: 'tree' },
        encode: {
          update: {
            x: { field: 'x' },
            y: { field: 'y' },
            size: { value: 160 },
            shape: { signal: "datum.meta ? 'diamond' : 'circle'" },
            fill: [
              { test: 'datum.score === null', value: '#ddd' },
              { scale: 'color', field: 'score' },
            ],
            fillOpacity: { signal: 'datum.eligible ? 1 : 0.35' },
            stroke: [
              { test: "datum.approval === 'pending'", value: '#e6550d' },
              { test: '!datum.eligible', value: '#888' },
              { value: '#333' },
            ],
            strokeWidth: { signal: "datum.approval === 'pending' ? 3 : 1" },
            strokeDash: { signal: 'datum.eligible ? [] : [2, 2]' },
            href: { field: 'href' },
            cursor: { value: 'pointer' },
            tooltip: {
              signal:
                "{'node': datum.id, 'score': datum.score === null ? '—' : format(datum.score, '.3f'), 'meta agent changed': datum.meta ? 'yes' : 'no', 'eligible': datum.eligible ? 'yes' : 'no', 'approval': datum.approval || '—'}",
            },
          },
        },
      },
      {
        type: 'text',
        from: { data: 'tree' },
        encode: {
          update: {
            x: { field: 'x' },
            y: { field: 'y' },
            dx: { value: 10 },
            dy: { value: -8 },
            fontSize: { value: 10 },
            text: { signal: "datum.label + (datum.approvalMark ? ' ' + datum.approvalMark : '')" },
            fill: {
              signal:
                "datum.approval === 'pending' ? '#e6550d' : datum.approval === 'rejected' ? '#a50f15' : '#333'",
            },
          },
        },
      },
    ],
  };
}
