/**
 * What a running generation is doing, from its pending activities (`describe` of the child
 * workflow: the activity's type and its last heartbeat's details), in words, as the terminal
 * (`run --follow`, `status --watch`) and the console's run page show it:
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
