/**
 * Headless SVG rendering of a Vega-Lite or Vega spec (vega + vega-lite, no browser, no canvas), for
 * the benches, the console and `hyperagents report`. Both packages are ES modules with top-level
 * await, which `require` cannot load: they are imported with a real dynamic `import()` (TypeScript's
 * CommonJS output would turn a plain `import()` into `require`).
 */
import { pathToFileURL } from 'url';
import type { VegaLiteSpec, VegaSpec } from './charts';

interface VegaLib {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, opts: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
}
interface VegaLiteLib {
  compile(spec: unknown): { spec: unknown };
}

// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a native import() from CommonJS, see above
const importEsm = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
const load = (name: string) => importEsm(pathToFileURL(require.resolve(name)).href);

/** A spec's SVG: Vega-Lite unless its `$schema` names Vega itself. */
export async function renderSvg(spec: VegaLiteSpec | VegaSpec): Promise<string> {
  const vega = (await load('vega')) as VegaLib;
  const isVega = typeof spec.$schema === 'string' && /\/schema\/vega\//.test(spec.$schema);
  const runtime = isVega ? spec : ((await load('vega-lite')) as VegaLiteLib).compile(spec).spec;
  const view = new vega.View(vega.parse(runtime), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
