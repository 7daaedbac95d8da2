/**
 * Headless SVG rendering of a Vega-Lite spec (vega + vega-lite, no browser, no canvas). Both packages
 * are ES modules with top-level await, which `require` cannot load: they are imported with a real
 * dynamic `import()` (TypeScript's CommonJS output would turn a plain `import()` into `require`).
 */
import { pathToFileURL } from 'url';
import type { VegaLiteSpec } from '../src/report/charts';

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

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vega = (await load('vega')) as VegaLib;
  const vl = (await load('vega-lite')) as VegaLiteLib;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
