/**
 * Reading and writing the program's JSON files and addressing their leaves by dotted path. A copy of
 * the parts of the seed's meta/params.mjs this agent uses: a meta agent imports only from its own set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The task agent's parameters (`domains.<name>`), which the offline analogue edits. */
export const TASK_PARAMS_FILE = 'task/params.json';
/** This meta agent's own settings. */
export const META_PARAMS_FILE = 'meta/params.json';

export function readJsonFile(programDir, file) {
  return JSON.parse(readFileSync(path.join(programDir, file), 'utf8'));
}

export function writeJsonFile(programDir, file, value) {
  writeFileSync(path.join(programDir, file), formatJson(value) + '\n');
}

/** JSON laid out the way Prettier lays it out, so the one edited value is the whole diff. */
function formatJson(value, indent = '', lead = 0, width = 110) {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      if (indent.length + lead + inline.length + 1 <= width) return inline;
    }
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + formatJson(v, inner, 0, width)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    const lines = entries.map(([k, v]) => {
      const key = `${JSON.stringify(k)}: `;
      return inner + key + formatJson(v, inner, key.length, width);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** Every leaf of a JSON value as [path, value], paths joined with '.' (array indexes included). */
export function leaves(value, prefix = '') {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, join(prefix, String(i))));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, join(prefix, k)));
  }
  return [[prefix, value]];
}

export function setPath(root, dotted, value) {
  const keys = dotted.split('.');
  const last = keys.pop();
  const parent = keys.reduce((node, key) => node[key], root);
  parent[last] = value;
}

/** Six significant digits keep the parameter file readable and its diffs small. */
export function tidy(x) {
  return Number(x.toPrecision(6));
}

const join = (prefix, key) => (prefix === '' ? key : `${prefix}.${key}`);
