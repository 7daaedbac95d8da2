import { CappedCapture } from './capture';

/** What the watchdog saw of a session once it ended. */
export interface WatchdogReport {
  timedOut: boolean;
  /** Set when the program broke a rule the watchdog enforces (writing past the output cap). */
  violation?: string;
  stdout: string;
  stderr: string;
}

export interface WatchdogOptions {
  /** Kills the whole session; may return a promise (its rejection is ignored). */
  kill: () => unknown;
  timeoutMs: number;
  /** Aborting kills the session. */
  signal?: AbortSignal;
  /** Bytes kept of each stream (STREAM_CAP by default). */
  streamCap?: number;
  /** Also sees stdout as it arrives; what it throws is swallowed (it runs in stream events). */
  onStdout?: (chunk: Buffer) => void;
}

/**
 * Guards one running session, whatever launched it: stdout and stderr are each kept up to the cap
 * and writing past it kills the session, as do the time limit and an abort of `signal` (a cancelled
 * activity). The backends share it because it is security logic that must not drift between them.
 * Its sinks are called from stream events, so nothing here throws: a failing `kill` is swallowed
 * (the session is then already gone, or the backend's cleanup removes it).
 */
export class SessionWatchdog {
  /** Sinks for the program's output streams. */
  readonly stdout: (chunk: Buffer) => void;
  readonly stderr: (chunk: Buffer) => void;
  private readonly kill: () => unknown;
  private readonly signal: AbortSignal | undefined;
  private readonly out: CappedCapture;
  private readonly err: CappedCapture;
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private violation: string | undefined;

  constructor({ kill, timeoutMs, signal, streamCap, onStdout }: WatchdogOptions) {
    this.kill = kill;
    this.signal = signal;
    this.out = new CappedCapture(this.overflow('stdout'), streamCap);
    this.err = new CappedCapture(this.overflow('stderr'), streamCap);
    this.stdout = onStdout
      ? (chunk) => {
          this.out.write(chunk);
          try {
            onStdout(chunk);
          } catch {
            // An observer's failure must not break the session's capture.
          }
        }
      : this.out.write;
    this.stderr = this.err.write;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, timeoutMs);
    signal?.addEventListener('abort', this.stop);
    if (signal?.aborted) this.stop();
  }

  /** Stops the timer and the cancellation listener (call it exactly when the session has ended). */
  finish(): WatchdogReport {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.stop);
    return {
      timedOut: this.timedOut,
      ...(this.violation ? { violation: this.violation } : {}),
      stdout: this.out.text(),
      stderr: this.err.text(),
    };
  }

  private overflow(stream: 'stdout' | 'stderr'): () => void {
    return () => {
      this.violation ??= `${stream} exceeded the output cap`;
      this.stop();
    };
  }

  private readonly stop = (): void => {
    try {
      const killed = this.kill();
      if (killed instanceof Promise) killed.catch(() => undefined);
    } catch {
      // Already gone: there is nothing left to stop.
    }
  };
}
