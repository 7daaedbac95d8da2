/**
 * The terminal's live view of running generations (`run --follow`, `status --watch`): when to print
 * the lines of src/report/progress.ts, and redrawing them in place on a terminal. Pure: no client,
 * no clock, no output.
 */

/**
 * Whether a changed block of progress lines is worth printing as plain lines (stdout not a
 * terminal, so no line is rewritten): always when a stage changed, for task counts alone at most
 * every `everyMs`, so a log gets a line every few seconds rather than one per task.
 */
export function worthPrinting(
  last: readonly string[] | undefined,
  next: readonly string[],
  msSinceLast: number,
  everyMs = 10_000,
): boolean {
  if (!last) return next.length > 0;
  const counts = /\s\d+\/\d+ tasks/g;
  const shape = (lines: readonly string[]) => lines.map((l) => l.replace(counts, '')).join('\n');
  if (shape(last) !== shape(next)) return true;
  return last.join('\n') !== next.join('\n') && msSinceLast >= everyMs;
}

/**
 * Terminal control to replace the `previous` lines printed last with new ones: cursor up over them
 * and clear to the end of the screen. Only for a TTY.
 */
export function rewind(previous: number): string {
  return previous > 0 ? `\x1b[${previous}F\x1b[J` : '';
}

/**
 * The live part of `run --follow` and `status --watch`: permanent lines (a run's progress line
 * when it changes) and the running generations' lines below them. On a terminal the generations'
 * lines are redrawn in place; elsewhere (a pipe, a log file) everything is plain lines, no cursor
 * control, the generations' lines printed when a stage changes or, for task counts alone, every
 * `everyMs`. Returns the text to write; the caller writes it and passes the time in.
 */
export class ProgressView {
  private drawn = 0;
  private last?: string[];
  private lastAtMs = 0;

  constructor(
    private readonly tty: boolean,
    private readonly everyMs = 10_000,
  ) {}

  update(permanent: readonly string[], lines: readonly string[], nowMs: number): string {
    const indented = lines.map((l) => `  ${l}`);
    const same = this.last !== undefined && this.last.join('\n') === indented.join('\n');
    if (this.tty) {
      if (permanent.length === 0 && same) return '';
      const out = rewind(this.drawn) + [...permanent, ...indented].map((l) => `${l}\n`).join('');
      this.drawn = indented.length;
      this.last = indented;
      return out;
    }
    let out = permanent.map((l) => `${l}\n`).join('');
    if (worthPrinting(this.last, indented, nowMs - this.lastAtMs, this.everyMs)) {
      out += indented.map((l) => `${l}\n`).join('');
      this.last = indented;
      this.lastAtMs = nowMs;
    }
    return out;
  }

  /** On a terminal, clears the generations' lines (the run has ended); elsewhere nothing. */
  finish(): string {
    const out = this.tty ? rewind(this.drawn) : '';
    this.drawn = 0;
    return out;
  }
}
