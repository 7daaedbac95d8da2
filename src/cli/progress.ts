/**
 * What a running generation is doing, from its pending activities (`describe` of the child
 * workflow: the activity's type and its last heartbeat's details), as the terminal shows it:
 * `gen-7: evaluating paper-review train staged 4/10 tasks`. Pure: no client, no clock, no output.
 */

/** A pending activity of a generation, as read from `describe`. */
export interface PendingActivity {
  type: string;
  /** Its last heartbeat's details: `{what, done?, total?}`, or the `what` string of older workers. */
  detail?: unknown;
  /** Attempt number (1 = the first). */
  attempt?: number;
  /** The last attempt's failure, when it is being retried. */
  lastFailure?: string;
}

/** What a running generation does now. */
export interface GenerationProgress {
  generation: number;
  pending: PendingActivity[];
}

interface Detail {
  what?: string;
  done?: number;
  total?: number;
}

function detailOf(raw: unknown): Detail {
  if (typeof raw === 'string') return { what: raw };
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const num = (x: unknown) =>
    typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.floor(x) : undefined;
  return {
    ...(typeof r.what === 'string' ? { what: r.what } : {}),
    ...(num(r.done) !== undefined ? { done: num(r.done) } : {}),
    ...(num(r.total) !== undefined ? { total: num(r.total) } : {}),
  };
}

/** `gen-00007 on paper-review train (staged)` → `paper-review train staged`. */
function stageOfWhat(what: string | undefined): string | undefined {
  const m = what ? /^\S+ on (\S+) (train|val) \((\w+)\)$/.exec(what) : null;
  return m ? `${m[1]} ${m[2]} ${m[3]}` : undefined;
}

/** One activity in words. */
export function activityStage(a: PendingActivity): string {
  const d = detailOf(a.detail);
  const counted =
    d.total !== undefined && d.done !== undefined ? ` ${Math.min(d.done, d.total)}/${d.total} tasks` : '';
  let words: string;
  switch (a.type) {
    case 'selectParent':
      words = 'selecting a parent';
      break;
    case 'selfModify':
      words = 'meta agent';
      break;
    case 'createStartNode':
      words = 'archiving the start program';
      break;
    case 'planEvaluation':
      words = 'evaluating (planning)';
      break;
    case 'evaluateStage':
      words = `evaluating ${stageOfWhat(d.what) ?? ''}`.trimEnd() + counted;
      break;
    case 'evaluateNode':
      words = `evaluating ${d.what?.replace(/^\S+ on /, '') ?? ''}`.trimEnd();
      break;
    case 'recordedSpend':
    case 'scoreNode':
    case 'finalizeNode':
      words = 'finalizing';
      break;
    default:
      words = a.type;
  }
  const retry =
    (a.attempt ?? 1) > 1 ? ` (attempt ${a.attempt}${a.lastFailure ? `: ${a.lastFailure}` : ''})` : '';
  return words + retry;
}

/** A running generation in a line: `gen-7: evaluating paper-review train staged 4/10 tasks`. */
export function generationLine(p: GenerationProgress): string {
  const what = p.pending.length === 0 ? 'between steps' : p.pending.map(activityStage).join('; ');
  return `gen-${p.generation}: ${what}`;
}

/** The lines of every running generation, by number. */
export function progressLines(all: readonly GenerationProgress[]): string[] {
  return [...all].sort((a, b) => a.generation - b.generation).map(generationLine);
}

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
