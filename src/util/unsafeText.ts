/**
 * Characters that let agent-written text hide or rewrite what a person or a tool sees: C0 controls
 * (`\r` returns to the line start, a newline forges log lines and patch headers, ESC starts the ANSI
 * sequences that erase lines, move the cursor, set titles or hyperlinks), DEL, the C1 controls
 * (U+009B is a one-character CSI on some terminals), the zero-width characters that make two names
 * look alike (HFS+ ignores them, so `.g\u200Cit` is `.git` on a Mac), the Unicode line and paragraph
 * separators, the bidi embeddings, overrides and isolates that reorder a line (`x\u202Egpj.mjs`
 * shows as `xjpg.mjs`), and the BOM. Program paths and copied-out names refuse them; the CLI escapes
 * them when it prints.
 */
export const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** The code of the first unsafe character in `s`, or undefined. */
export function unsafeCharacter(s: string): number | undefined {
  const m = new RegExp(UNSAFE_CHARACTERS.source).exec(s);
  return m ? m[0].charCodeAt(0) : undefined;
}

/** `U+XXXX` of a character code, for messages. */
export function codePointLabel(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
