/** Reading JSON lines that came out of a sandbox: untrusted text, so nothing here throws or recurses. */

/** The JSON lines a harness wrote on stdout; lines that are not JSON objects are ignored. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // Not protocol output.
    }
  }
  return out;
}

/** How deep `v` nests objects and arrays, counted without recursion; stops once past `max`. */
export function nestingBeyond(v: unknown, max: number): boolean {
  const stack: Array<{ value: object; depth: number }> = [];
  if (v !== null && typeof v === 'object') stack.push({ value: v, depth: 1 });
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (depth > max) return true;
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === 'object')
        stack.push({ value: child as object, depth: depth + 1 });
    }
  }
  return false;
}
