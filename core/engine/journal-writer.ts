import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Journal, JournalEntry } from '../../ports/journal.js';
import type { JournalRowData, JournalRowKind, JournalRowType } from '../domain/journal-rows.js';
import type { EventLoop } from './event-loop.js';
import { scrubDeep } from '../config/redact.js';
import { durabilityOf, GROUP_COMMIT_BOUND, type GroupCommitBound } from './journal-durability.js';

/**
 * Stamps journal rows with the session, the loop sequence and Clock time, redacts the session's secrets (the account
 * id, env() values) from every row, raw broker texts included, and enforces the durability contract
 * (journal-durability.ts): an order-path row is committed before `write` returns; market-derived rows are
 * group-committed within `bound` (rows, or Clock time via a timer on the same Clock).
 *
 * Commits are synchronous (`Journal.commit`), so in replay a commit happens at the same point of the event stream
 * on every backend and the event loop never has to wait for one: rows, their order and the digest do not depend on
 * the database. The group timer only commits; it posts nothing to the loop and reads no state, so it does not change
 * the loop sequence or any other timer's order.
 */
export class JournalWriter {
  rows = 0;
  /** Market-derived rows appended since the last commit. */
  private pending = 0;
  private timer: TimerHandle | null = null;
  private timerFailure: unknown = null;
  private readonly bound: GroupCommitBound;
  /** Inside {@link toBroker}: order-path rows wait for its barrier instead of committing one by one. */
  private routing = false;
  /** Order-path rows written inside {@link toBroker} and not committed yet. */
  private held = false;

  constructor(
    private readonly journal: Journal,
    readonly sessionId: string,
    private readonly loop: EventLoop,
    private readonly clock: Clock,
    private readonly secrets: readonly string[] = [],
    bound?: GroupCommitBound,
  ) {
    this.bound = bound ?? GROUP_COMMIT_BOUND[clock.kind];
  }

  write<T extends JournalRowType>(
    kind: JournalRowKind<T>,
    type: T,
    data: JournalRowData<T>,
    keys: Pick<JournalEntry, 'symbol' | 'coid' | 'tradeId' | 'strategyId'> = {},
  ): void {
    const entry: JournalEntry = {
      kind,
      type,
      loopSeq: this.loop.seq,
      time: this.clock.now(),
      data: scrubDeep(data as Record<string, unknown>, this.secrets),
      ...scrubDeep(stripUndefined(keys), this.secrets),
    };
    this.rows++;
    this.journal.append(this.sessionId, entry);
    if (durabilityOf(kind, type) === 'order-path') {
      if (this.routing) this.held = true;
      else this.durable();
      return;
    }
    if (++this.pending >= this.bound.rows) {
      this.durable();
      return;
    }
    if (this.timer === null) this.timer = this.clock.setTimeout(this.bound.clockUs, () => this.onTimer(), 'journal.group-commit');
  }

  /**
   * One intent's way to the broker (approval, order requests, the broker call): the order-path rows `fn` writes are
   * committed in one transaction, by the `durable()` barrier before its broker call or, if `fn` makes none (a refusal),
   * when it returns. Nothing leaves the process in between, so what a crash can lose is the same as with a commit per
   * row: an order that never reached the broker (docs/decisions/0005-durability-contract.md).
   */
  toBroker<T>(fn: () => T): T {
    if (this.routing) return fn();
    this.routing = true;
    try {
      return fn();
    } finally {
      this.routing = false;
      if (this.held) this.durable();
    }
  }

  /**
   * The barrier before a broker call: every row written so far is committed when this returns. Throws
   * `STORE.COMMIT_FAILED` (also for a failed group commit from the timer) — the caller then must not reach the broker.
   */
  durable(): void {
    if (this.timerFailure !== null) {
      const e = this.timerFailure;
      this.timerFailure = null;
      throw e;
    }
    if (this.timer !== null) {
      this.clock.cancelTimer(this.timer);
      this.timer = null;
    }
    this.pending = 0;
    this.held = false;
    this.journal.commit();
  }

  private onTimer(): void {
    this.timer = null;
    this.pending = 0;
    try {
      this.journal.commit();
    } catch (error) {
      // A timer has no caller to tell; the next write or broker barrier throws it on the engine path.
      this.timerFailure = error;
    }
  }
}

function stripUndefined<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
