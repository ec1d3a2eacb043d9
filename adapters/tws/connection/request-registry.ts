import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { isErrorCode, type ErrorCode } from '../../../core/errors/error-codes.js';
import type { Micros } from '../../../core/domain/units.js';
import type { Clock } from '../../../ports/clock.js';
import { requestEffect, ruleFor } from '../errors/error-table.js';
import type { TwsTimers } from './timers.js';

export type RequestType =
  | 'open-orders'
  | 'executions'
  | 'positions'
  | 'current-time'
  | 'market-data'
  | 'market-depth'
  | 'tick-by-tick'
  | 'historical'
  | 'contract-details'
  | 'other';

export type RequestStatus = 'pending' | 'streaming' | 'done' | 'failed' | 'timed-out' | 'cancelled';

export interface RequestEntry {
  /** The IB request id; negative for requests IB answers without one (open orders, positions, current time). */
  readonly id: number;
  readonly type: RequestType;
  /** Who asked, for diagnostics: 'reconcile', 'heartbeat', 'feed AAPL:depth'… */
  readonly origin: string;
  readonly createdAt: Micros;
  /** Wall deadline in ms after creation; null for streams. */
  readonly deadlineMs: number | null;
  status: RequestStatus;
  attempts: number;
}

export interface CallSpec {
  /** An IB request id, or omit for id-less requests (completed by type, oldest first). */
  id?: number;
  type: RequestType;
  origin: string;
  deadlineMs: number;
  /** Sends (or re-sends) the request; called once now and once per retry. */
  send: (id: number) => void;
  /** Retries for 'retry' errors (pacing), each after `retryDelayMs`. */
  retries?: number;
  retryDelayMs?: number;
}

export interface StreamSpec {
  id: number;
  type: RequestType;
  origin: string;
  /** An IB error on this stream; the owner decides (fail the subscription, flag it, ignore). */
  onError: (code: number, message: string) => void;
}

interface Waiter {
  entry: RequestEntry;
  spec: CallSpec;
  resolve: (value: unknown) => void;
  reject: (error: HarvesterError) => void;
  cancelTimer: () => void;
}

/** Ids of finished requests are kept this long, so late 300/366/162 answers are absorbed instead of alarming. */
const RECENT_US = 60_000_000;

/**
 * Every request that expects an answer is registered here with a type, an origin and a deadline (LEAN #201: history
 * requests that never timed out). IB errors that carry a request id are routed to their entry: they release its
 * waiter (fail, retry after backoff, or resolve empty), so no caller waits for an answer that will never come.
 * A deadline rejects with BROKER.REQUEST_TIMEOUT — a timeout means "unknown", never "empty" (nautilus PR #4230).
 */
export class TwsRequestRegistry {
  private readonly waiters = new Map<number, Waiter>();
  private readonly streams = new Map<number, { entry: RequestEntry; spec: StreamSpec }>();
  private readonly recent = new Map<number, Micros>();
  private nextLocalId = -1000;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TwsTimers,
  ) {}

  /** A one-shot request; settles on complete/completeType, an routed error, the deadline, or `failAll`. */
  call<T>(spec: CallSpec): Promise<T> {
    const id = spec.id ?? this.nextLocalId--;
    const entry: RequestEntry = {
      id,
      type: spec.type,
      origin: spec.origin,
      createdAt: this.clock.now(),
      deadlineMs: spec.deadlineMs,
      status: 'pending',
      attempts: 0,
    };
    return new Promise<T>((resolve, reject) => {
      const w: Waiter = { entry, spec, resolve: resolve as (v: unknown) => void, reject, cancelTimer: () => {} };
      this.waiters.set(id, w);
      w.cancelTimer = this.timers.after(spec.deadlineMs, () =>
        this.settle(
          id,
          'timed-out',
          new HarvesterError(
            'BROKER.REQUEST_TIMEOUT',
            `${spec.type} request ${id} (${spec.origin}) got no answer within ${spec.deadlineMs} ms`,
            { details: { reqId: id, type: spec.type, origin: spec.origin } },
          ),
        ),
      );
      this.send(w);
    });
  }

  /** A subscription: no deadline; errors go to its owner. */
  stream(spec: StreamSpec): RequestEntry {
    const entry: RequestEntry = {
      id: spec.id,
      type: spec.type,
      origin: spec.origin,
      createdAt: this.clock.now(),
      deadlineMs: null,
      status: 'streaming',
      attempts: 1,
    };
    this.streams.set(spec.id, { entry, spec });
    return entry;
  }

  /** The stream ended (unsubscribed, replaced after a reconnect): late errors for its id are absorbed. */
  endStream(id: number): void {
    const s = this.streams.get(id);
    if (s === undefined) return;
    s.entry.status = 'cancelled';
    this.streams.delete(id);
    this.remember(id);
  }

  complete(id: number, value?: unknown): boolean {
    return this.settle(id, 'done', undefined, value);
  }

  /** Completes the oldest pending request of an id-less type (openOrderEnd and positionEnd carry no id). */
  completeType(type: RequestType, value?: unknown): boolean {
    for (const [id, w] of this.waiters) if (w.entry.type === type) return this.settle(id, 'done', undefined, value);
    return false;
  }

  pendingOf(type: RequestType): number {
    let n = 0;
    for (const w of this.waiters.values()) if (w.entry.type === type) n++;
    return n;
  }

  /**
   * Routes an IB error by request id. Returns 'request' when a live entry took it, 'late' when the id belongs to a
   * request that already ended (absorbed), and 'none' otherwise (an order id, or unknown).
   */
  route(reqId: number, code: number, message: string): 'request' | 'late' | 'none' {
    if (reqId < 0) return 'none';
    const w = this.waiters.get(reqId);
    if (w !== undefined) {
      const effect = requestEffect(code, message);
      if (effect === 'empty') this.settle(reqId, 'done', undefined, null);
      else if (effect === 'retry' && w.entry.attempts <= (w.spec.retries ?? 0)) {
        this.timers.after(w.spec.retryDelayMs ?? 1_000, () => {
          if (this.waiters.get(reqId) === w) this.send(w);
        });
      } else if (effect !== 'keep') this.settle(reqId, 'failed', this.failure(code, message, w.entry));
      return 'request';
    }
    const s = this.streams.get(reqId);
    if (s !== undefined) {
      s.spec.onError(code, message);
      return 'request';
    }
    this.pruneRecent();
    return this.recent.has(reqId) ? 'late' : 'none';
  }

  /** The link is gone: every pending one-shot rejects (the caller learns "unknown" at once, not at its deadline). */
  failAll(code: ErrorCode, reason: string): void {
    for (const id of [...this.waiters.keys()]) this.settle(id, 'failed', new HarvesterError(code, reason, { details: { reqId: id } }));
  }

  entries(): RequestEntry[] {
    return [...[...this.waiters.values()].map((w) => w.entry), ...[...this.streams.values()].map((s) => s.entry)];
  }

  dispose(): void {
    this.failAll('BROKER.DISPOSED', 'adapter disposed');
    this.streams.clear();
    this.recent.clear();
  }

  private send(w: Waiter): void {
    w.entry.attempts++;
    try {
      w.spec.send(w.entry.id);
    } catch (e) {
      this.settle(
        w.entry.id,
        'failed',
        new HarvesterError('BROKER.REQUEST_FAILED', `sending ${w.entry.type} failed: ${(e as Error).message}`, { cause: e }),
      );
    }
  }

  private failure(code: number, message: string, entry: RequestEntry): HarvesterError {
    const rule = ruleFor(code);
    const hc: ErrorCode = isErrorCode(rule.harvesterCode) ? rule.harvesterCode : 'BROKER.REQUEST_FAILED';
    return new HarvesterError(hc, `IB ${code} on ${entry.type} request ${entry.id}: ${message}`, {
      details: { reqId: entry.id, ibCode: code, type: entry.type, origin: entry.origin },
    });
  }

  private settle(id: number, status: RequestStatus, error?: HarvesterError, value?: unknown): boolean {
    const w = this.waiters.get(id);
    if (w === undefined) return false;
    this.waiters.delete(id);
    w.cancelTimer();
    w.entry.status = status;
    if (id >= 0) this.remember(id);
    if (error !== undefined) w.reject(error);
    else w.resolve(value);
    return true;
  }

  private remember(id: number): void {
    this.recent.set(id, this.clock.now());
  }

  private pruneRecent(): void {
    const cutoff = this.clock.now() - RECENT_US;
    for (const [id, at] of this.recent) {
      if (at > cutoff) break;
      this.recent.delete(id);
    }
  }
}
