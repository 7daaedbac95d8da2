import type { TaskAnswer } from '../../evaluation';

/** What a stage's answers so far are saved as (`Archive.putPartialReport`). */
export interface StageCheckpoint {
  /** The program that gave them: a node id reused for another program (a re-run generation) starts afresh. */
  snapshotKey: string;
  answers: Record<string, TaskAnswer>;
  /** Set when an attempt's gateway refused or failed a call: the answers it gave are not all the model's. */
  incomplete?: string;
  budgetRefusal?: string;
}

export function asCheckpoint(value: unknown, snapshotKey: string): StageCheckpoint {
  const v = value as Partial<StageCheckpoint> | undefined;
  if (!v || v.snapshotKey !== snapshotKey || typeof v.answers !== 'object' || v.answers === null)
    return { snapshotKey, answers: {} };
  return v as StageCheckpoint;
}

/**
 * How often answers that cost nothing are saved. Each save writes every answer so far, so saving
 * each one of a stage of quick tasks kept the store busy for the whole session (and its CPU away
 * from the tasks); a retry only repeats what came in since the last save.
 */
export const UNPAID_SAVE_INTERVAL_MS = 1000;

/**
 * Saves a stage's answers as they arrive, one write at a time (the latest state wins): at once when
 * paid LLM calls were made since the last save (a retry must not pay for them again), else at most
 * every UNPAID_SAVE_INTERVAL_MS. A lost write only costs a retry some tasks it could have skipped,
 * so write failures do not stop the evaluation.
 */
export class Checkpointer {
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  private lastSaveAt = 0;
  private paidAtSave: number;

  constructor(
    readonly state: StageCheckpoint,
    private readonly write: (state: StageCheckpoint) => Promise<void>,
    /** Paid LLM calls so far (the gateway's tally). */
    private readonly paidCalls: () => number = () => 0,
    private readonly intervalMs = UNPAID_SAVE_INTERVAL_MS,
  ) {
    this.paidAtSave = paidCalls();
  }

  add(id: string, answer: TaskAnswer): void {
    this.state.answers[id] = answer;
    this.dirty = true;
    this.schedule();
  }

  /** Waits for the save in flight, then saves `last` (e.g. the attempt's incompleteness) with every answer. */
  async close(last: Pick<StageCheckpoint, 'incomplete' | 'budgetRefusal'>): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    this.state.incomplete ??= last.incomplete;
    this.state.budgetRefusal ??= last.budgetRefusal;
    await this.write(this.state).catch(() => undefined);
  }

  private schedule(): void {
    // A save in flight schedules the next when it ends; a timer set already takes these answers too.
    if (this.closed || this.writing || this.timer) return;
    const paid = this.paidCalls() !== this.paidAtSave;
    const wait = paid ? 0 : this.lastSaveAt + this.intervalMs - Date.now();
    if (wait <= 0) this.writing = this.save();
    else
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.closed) this.writing = this.save();
      }, wait);
  }

  private async save(): Promise<void> {
    this.dirty = false;
    this.paidAtSave = this.paidCalls();
    this.lastSaveAt = Date.now();
    await this.write(this.state).catch(() => undefined);
    this.writing = undefined;
    if (this.dirty) this.schedule();
  }
}
