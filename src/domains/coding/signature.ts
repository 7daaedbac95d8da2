/**
 * The functions a solution module must export, derived from the cases: one function per property,
 * its positional parameters named after the `input` keys.
 */
import type { CanonicalCase } from './canonical';

export interface FunctionSignature {
  /** Export name: the property in lowerCamelCase, made a legal identifier. */
  name: string;
  /** The property as written in canonical-data.json. */
  property: string;
  /** Parameter names, legal identifiers, in order. */
  params: string[];
  /** The `input` keys the parameters come from (same order as `params`). */
  inputKeys: string[];
}

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var void ' +
    'while with yield let static implements interface package private protected public await arguments eval'
  ).split(' '),
);

/** `kebab-case`, `snake_case` and `space separated` to lowerCamelCase; lowerCamelCase is kept. */
export function toCamelCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
  return parts
    .map((p, i) =>
      i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1),
    )
    .join('');
}

/** A legal JS identifier for a name: camelCased, a leading digit prefixed, reserved words suffixed `_`. */
export function toIdentifier(name: string): string {
  let id = toCamelCase(name);
  if (id === '') id = 'arg';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return RESERVED.has(id) ? `${id}_` : id;
}

/**
 * One signature per property, in order of first appearance. When cases of one property use different
 * input keys (e.g. piecing-it-together), the parameters are the union of keys in order of first
 * appearance, and a case passes `undefined` for the keys it lacks.
 */
export function deriveSignatures(cases: readonly CanonicalCase[]): FunctionSignature[] {
  const byProperty = new Map<string, string[]>();
  for (const c of cases) {
    const keys = byProperty.get(c.property) ?? [];
    for (const k of Object.keys(c.input)) if (!keys.includes(k)) keys.push(k);
    byProperty.set(c.property, keys);
  }
  return [...byProperty].map(([property, inputKeys]) => ({
    name: toIdentifier(property),
    property,
    params: uniqueIdentifiers(inputKeys),
    inputKeys,
  }));
}

/** The positional arguments of one case for its function. */
export function argumentsFor(signature: FunctionSignature, input: Record<string, unknown>): unknown[] {
  return signature.inputKeys.map((k) => input[k]);
}

/** Renders `name(a, b)` for people and prompts. */
export function formatSignature(s: FunctionSignature): string {
  return `${s.name}(${s.params.join(', ')})`;
}

function uniqueIdentifiers(keys: string[]): string[] {
  const used = new Set<string>();
  return keys.map((k) => {
    let id = toIdentifier(k);
    while (used.has(id)) id = `${id}_`;
    used.add(id);
    return id;
  });
}
