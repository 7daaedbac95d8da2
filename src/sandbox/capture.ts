import { STREAM_CAP } from './types';

/**
 * Keeps the first `cap` bytes of a stream and reports once when the program writes past it, so the
 * session can be stopped: gigabytes of stdout never reach memory or disk on the host.
 */
export class CappedCapture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(
    private readonly onOverflow: () => void,
    private readonly cap = STREAM_CAP,
  ) {}

  readonly write = (chunk: Buffer): void => {
    if (this.size < this.cap) this.chunks.push(chunk.subarray(0, this.cap - this.size));
    this.size += chunk.length;
    if (this.size > this.cap && !this.overflowed) {
      this.overflowed = true;
      this.onOverflow();
    }
  };

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
