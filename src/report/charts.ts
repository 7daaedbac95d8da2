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
