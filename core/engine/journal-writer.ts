import type { Clock } from '../../ports/clock.js';
import type { Journal, JournalEntry, JournalKind } from '../../ports/journal.js';
import type { EventLoop } from './event-loop.js';
import { scrubDeep } from '../config/redact.js';

/**
 * Stamps journal rows with the session, the loop sequence and Clock time, and redacts the session's secrets (the
 * account id, env() values) from every row, raw broker texts included, before the row reaches the journal.
 */
export class JournalWriter {
  rows = 0;

  constructor(
    private readonly journal: Journal,
    readonly sessionId: string,
    private readonly loop: EventLoop,
    private readonly clock: Clock,
    private readonly secrets: readonly string[] = [],
  ) {}

  write(kind: JournalKind, type: string, data: Record<string, unknown>, keys: Pick<JournalEntry, 'symbol' | 'coid' | 'tradeId' | 'strategyId'> = {}): void {
    const entry: JournalEntry = { kind, type, loopSeq: this.loop.seq, time: this.clock.now(), data: scrubDeep(data, this.secrets), ...scrubDeep(stripUndefined(keys), this.secrets) };
    this.rows++;
    this.journal.append(this.sessionId, entry);
  }
}

function stripUndefined<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
