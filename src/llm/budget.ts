/**
 * The run's spending ledger. Calls reserve an estimate before they reach the upstream and settle
 * with the real figure after, so concurrent calls cannot jointly overspend: a call does not start
 * while spent + reserved-in-flight + its own estimate would pass a limit. It waits for calls in
 * flight to settle (they usually cost far less than they reserved) and is refused only when it
 * would not fit even with nothing in flight (`reserveWhenRoom`). One ledger may be shared by all
 * gateways of a run on a worker; the run workflow owns the limits and the starting spend.
 */

export interface Spend {
  usd: number;
  tokens: number;
}

/** Either limit may be absent (no limit of that kind). */
export interface BudgetLimits {
  usd?: number;
  tokens?: number;
}

export interface Reservation {
  readonly id: number;
  readonly estimate: Spend;
}

export interface BudgetRefusal {
  refused: true;
  /** Which limit would be passed. */
  kind: 'usd' | 'tokens';
  limit: number;
  spent: number;
  inFlight: number;
  estimate: number;
  message: string;
}

export interface BudgetSnapshot {
  limits: BudgetLimits;
  spent: Spend;
  inFlight: Spend;
  inFlightCalls: number;
}

const zero = (): Spend => ({ usd: 0, tokens: 0 });

export class BudgetLedger {
  private spent: Spend;
  private readonly open = new Map<number, Spend>();
  private nextId = 1;
  /** Calls waiting in `reserveWhenRoom`, woken when a reservation settles or is released. */
  private waiting = new Set<() => void>();

  constructor(
    private limits: BudgetLimits = {},
    alreadySpent: Spend = zero(),
  ) {
    this.spent = { ...alreadySpent };
  }

  /** Synchronous on purpose: check and reserve must not be split by an await. */
  reserve(estimate: Spend): Reservation | BudgetRefusal {
    const inFlight = this.inFlight();
    for (const kind of ['usd', 'tokens'] as const) {
      const limit = this.limits[kind];
      if (limit === undefined) continue;
      if (this.spent[kind] + inFlight[kind] + estimate[kind] > limit) {
        return refusal(kind, limit, this.spent[kind], inFlight[kind], estimate[kind]);
      }
    }
    const id = this.nextId++;
    this.open.set(id, { ...estimate });
    return { id, estimate: { ...estimate } };
  }

  /**
   * `reserve`, except that a call refused only because of the calls in flight (it fits in what is
   * not spent) waits until one of them settles or is released, and tries again. Refused at once
   * when it would not fit with nothing in flight; a waiting call throws `signal`'s reason when it
   * aborts (the gateway is closing).
   */
  async reserveWhenRoom(estimate: Spend, signal?: AbortSignal): Promise<Reservation | BudgetRefusal> {
    for (;;) {
      signal?.throwIfAborted();
      const r = this.reserve(estimate);
      if (!isRefusal(r) || r.inFlight === 0 || r.spent + r.estimate > r.limit) return r;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiting.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Replaces the reservation by what the call really cost (which may exceed the estimate). */
  settle(reservation: Reservation, actual: Spend): void {
    if (!this.open.delete(reservation.id)) return;
    this.spent = { usd: this.spent.usd + actual.usd, tokens: this.spent.tokens + actual.tokens };
    this.wakeWaiting();
  }

  /** Drops a reservation for a call that cost nothing (failed before the upstream billed it). */
  release(reservation: Reservation): void {
    if (this.open.delete(reservation.id)) this.wakeWaiting();
  }

  private wakeWaiting(): void {
    for (const wake of [...this.waiting]) wake();
  }

  setLimits(limits: BudgetLimits): void {
    this.limits = { ...limits };
  }

  snapshot(): BudgetSnapshot {
    return {
      limits: { ...this.limits },
      spent: { ...this.spent },
      inFlight: this.inFlight(),
      inFlightCalls: this.open.size,
    };
  }

  private inFlight(): Spend {
    const total = zero();
    for (const s of this.open.values()) {
      total.usd += s.usd;
      total.tokens += s.tokens;
    }
    return total;
  }
}

export function isRefusal(r: Reservation | BudgetRefusal): r is BudgetRefusal {
  return 'refused' in r;
}

function refusal(kind: 'usd' | 'tokens', limit: number, spent: number, inFlight: number, estimate: number) {
  const f = kind === 'usd' ? (n: number) => `$${n.toFixed(4)}` : (n: number) => `${n} tokens`;
  const name = kind === 'usd' ? 'USD budget' : 'token budget';
  const message =
    `run ${name} exceeded: limit ${f(limit)}, spent ${f(spent)}, in flight ${f(inFlight)}, ` +
    `this call needs up to ${f(estimate)}`;
  return { refused: true as const, kind, limit, spent, inFlight, estimate, message };
}
