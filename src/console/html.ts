import { UNSAFE_CHARACTERS } from '../util/unsafeText';

/**
 * HTML that is already safe: markup this module built, or SVG/HTML from a renderer that escapes
 * its own text (vega's SVG, diff2html). Nothing else reaches a page unescaped.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Trusted markup as is: only for renderer output (see SafeHtml), never for agent text. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Any text (file names, notes, reasons, scores: an agent wrote most of it) as HTML text or an
 * attribute value: markup characters as entities, and the characters that hide or reorder text
 * (controls, bidi overrides, zero-width) shown as visible `\u` escapes, newlines and tabs kept.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(UNSAFE_CHARACTERS, (c) =>
      c === '\n' || c === '\t' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** One interpolated value: SafeHtml as is, arrays joined, nothing for null/undefined/false. */
function part(v: unknown): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === undefined || v === null || v === false) return '';
  if (typeof v === 'string') return escapeHtml(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return escapeHtml(String(v));
  return escapeHtml(JSON.stringify(v) ?? '');
}

/** A template whose every interpolation is escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => (out += part(v) + strings[i + 1]!));
  return new SafeHtml(out);
}

/** JSON to embed in an inline script: `<`, `>`, `&` and the line separators as `\u` escapes. */
export function scriptJson(value: unknown): SafeHtml {
  return new SafeHtml(
    JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

/** A score as the CLI prints it: three decimals, `—` when absent. */
export function fmt(x: number | undefined | null, digits = 3): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f2937;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:baseline}
header a{color:#cde;text-decoration:none}header .brand{font-weight:600;color:#fff}
main{padding:16px 20px;max-width:1500px}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:22px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #e2e2e2;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#777}.pending{color:#c2410c;font-weight:600}.approved{color:#15803d}.rejected{color:#b91c1c}
.chart{background:#fff;border:1px solid #e2e2e2;padding:8px;display:inline-block;margin:0 12px 12px 0;overflow:auto;max-width:100%}
.live{background:#fff;border:1px solid #e2e2e2;padding:8px 12px;display:inline-block}
pre.notes{background:#fff;border:1px solid #e2e2e2;padding:8px;max-height:420px;overflow:auto;white-space:pre-wrap}
.decide input[type=text]{width:220px}.decide button,.promote button{margin-left:4px}
.msg{display:block;margin-top:4px;white-space:pre-wrap}.msg.err{color:#b91c1c}.msg.ok{color:#15803d}
.legend{font-size:12px;color:#555;margin:4px 0}
`;
