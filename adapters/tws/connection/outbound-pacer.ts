import type { Micros } from '../../../core/domain/units.js';
import type { Clock, TimerHandle } from '../../../ports/clock.js';

/**
 * Priority lanes, first served first (docs/tws-adapter.md#pacing): a cancel limits risk and must never wait behind
 * anything; an exit or a modify changes what already works at the venue (and a contract qualification is what an
 * order is waiting on); a new entry can always wait a slot.
 */
export const LANES = ['cancel', 'exit', 'entry'] as const;
export type Lane = (typeof LANES)[number];

export interface OutboundJob {
  lane: Lane;
  /** What the job is for (a coid, a request), for diagnostics. */
  key: string;
  /** An order message (placement, cancel, modify): only these are dropped when the link leaves Connected. */
  orderPath?: boolean;
  /**
   * Writes the message(s) now; returns how many went out. Decided at release, not at enqueue: the order may have
   * been settled meanwhile (0, and the slot is not used), and order ids are allocated here so that placements reach
   * TWS in ascending id order whatever their lanes (IB answers 103 to a lower id after a higher one, docs/tws-adapter.md#ids).
   */
  send(): number;
  /** Messages the job writes (a bracket: 3); default 1. */
  size?: number;
  /** The job will never be sent (the link left Connected, or the pacer was disposed). */
  drop(reason: string): void;
}

export interface PacerOptions {
  /** Minimum spacing between two outbound messages; default 30 ms (about 33 messages/s). */
  intervalMs?: number;
}

/**
 * The outbound scheduler of the order path, in front of @stoqey/ib. TWS allows 50 messages/s (IB code 100) and the
 * client's own limiter passes 4 per sliding 100 ms in strict FIFO order, with no notion of priority. Spacing the
 * messages at least `intervalMs` apart (30 ms: at most 4 in any 100 ms, about 33/s) keeps that FIFO empty — so the
 * order chosen here is the order on the wire — and leaves headroom for the traffic that does not pass through here
 * (heartbeat probes, market-data requests). A message goes out at once when the last one left an interval ago and
 * nothing is queued; otherwise it waits in its lane for the next slot. The slot timer runs on the injected Clock.
 *
 * Invariants: n messages written together are followed by n intervals of quiet, so no 100 ms ever holds more than 4
 * of them (nor any second more than 34); a queued job is either sent, withdrawn or
 * dropped, exactly once; no timer is left pending when the queue is empty or after `dispose()`.
 */
export class TwsOutboundPacer {
  private readonly lanes: Record<Lane, OutboundJob[]> = { cancel: [], exit: [], entry: [] };
  private readonly intervalUs: Micros;
  /** When the next message may leave: a job that wrote n messages takes n slots. */
  private freeAt: Micros | null = null;
  private timer: TimerHandle | null = null;
  private disposed = false;
  /** After a pacing violation (IB 100) the spacing is multiplied by this, until `slowUntil`. */
  private slow = 1;
  private slowUntil: Micros = 0;

  constructor(
    private readonly clock: Clock,
    options: PacerOptions = {},
  ) {
    this.intervalUs = Math.max(1, Math.round((options.intervalMs ?? 30) * 1_000));
  }

  /** Messages per second this pacer allows at most now (for diagnostics). */
  get ratePerSecond(): number {
    return 1_000_000 / this.spacing();
  }

  /**
   * TWS said the client is too fast (IB 100): something outside the pacer is sending, or TWS counts differently.
   * The spacing doubles (up to 8×) for `forMs`; each further violation doubles it again and extends the period.
   */
  backoff(forMs = 10_000): void {
    this.slow = Math.min(8, this.clock.now() < this.slowUntil ? this.slow * 2 : 2);
    this.slowUntil = this.clock.now() + forMs * 1_000;
  }

  private spacing(): Micros {
    return this.clock.now() < this.slowUntil ? this.intervalUs * this.slow : this.intervalUs;
  }

  get queued(): number {
    return LANES.reduce((n, l) => n + this.lanes[l].length, 0);
  }

  enqueue(job: OutboundJob): void {
    if (this.disposed) return job.drop('disposed');
    this.lanes[job.lane].push(job);
    this.pump();
  }

  /**
   * Drops the queued jobs that match
   * (the link left Connected: no order message is kept for later, BRK-06; docs/conformance-cards.md#brk-06).
   */
  dropWhere(match: (job: OutboundJob) => boolean, reason: string): void {
    const jobs: OutboundJob[] = [];
    for (const l of LANES) {
      jobs.push(...this.lanes[l].filter(match));
      this.lanes[l] = this.lanes[l].filter((j) => !match(j));
    }
    if (this.queued === 0) this.disarm();
    for (const j of jobs) j.drop(reason);
  }

  dispose(): void {
    if (this.disposed) return;
    this.dropWhere(() => true, 'disposed');
    this.disposed = true;
  }

  private peek(): OutboundJob | undefined {
    for (const l of LANES) if (this.lanes[l].length > 0) return this.lanes[l][0];
    return undefined;
  }

  /** Sends while a slot is free, then arms one timer for the next slot. */
  private pump(): void {
    while (this.queued > 0) {
      const now = this.clock.now();
      const job = this.peek()!;
      // n messages written together need n free slots, or two brackets 90 ms apart would put 6 in one 100 ms.
      const at = this.freeAt === null ? now : this.freeAt + ((job.size ?? 1) - 1) * this.spacing();
      if (at > now) return this.arm(at);
      this.lanes[job.lane].shift();
      // A job that sends nothing (its order was settled meanwhile) does not use a slot; a bracket (three placements
      // written together, ids contiguous) uses three.
      const sent = job.send();
      if (sent > 0) this.freeAt = this.clock.now() + sent * this.spacing();
    }
    this.disarm();
  }

  private arm(at: Micros): void {
    this.disarm(); // a cancel that arrived meanwhile may need an earlier slot than the bracket that armed the timer
    this.timer = this.clock.setTimer(
      at,
      () => {
        this.timer = null;
        this.pump();
      },
      'tws outbound pacer',
    );
  }

  private disarm(): void {
    if (this.timer === null) return;
    this.clock.cancelTimer(this.timer);
    this.timer = null;
  }
}
