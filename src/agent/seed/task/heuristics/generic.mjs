/**
 * The fallback for a domain this program does not know: read the domain's description for quoted
 * answer options ("accept" or "reject") and return the one task/params.json points at; with no options,
 * an empty string. It guarantees a well-formed answer more than a good one.
 */

export function quotedOptions(describe) {
  const text = String(describe ?? '');
  const afterReturn = text.slice(Math.max(0, text.search(/\breturn\b/i)));
  return [...afterReturn.matchAll(/"([^"\n]{1,40})"/g)].map((m) => m[1]);
}

export function genericAnswer(describe, params) {
  const options = quotedOptions(describe);
  if (options.length === 0) return '';
  const index = Math.abs(Math.round(params.optionIndex ?? 0)) % options.length;
  return options[index];
}
