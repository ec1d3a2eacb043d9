import { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { Clock } from '../../../ports/clock.js';
import type { TwsSocket } from './socket.js';

export interface DialOptions {
  link: TwsSocket;
  clock: Clock;
  /** The connect deadline (Clock time from the first attempt): past it, the connect fails with CONNECT_TIMEOUT. */
  deadlineMs: number;
  /** The next ladder delay (ms, jittered). */
  nextDelayMs: () => number;
  /** Waits `ms` on the Clock; resolves early when the connect is cancelled (disconnect, dispose). */
  wait: (ms: number) => Promise<void>;
  /** True once the caller gave up (disconnect, dispose): no further attempt is made. */
  cancelled: () => boolean;
}

/**
 * Refusals that retrying cannot fix within a connect deadline: another client holds the id (326; a zombie after a
 * gateway restart clears only in minutes, and the operator must know now), or the link was closed on purpose.
 */
const FINAL = new Set(['BROKER.CLIENT_ID_IN_USE', 'BROKER.DISPOSED']);

/**
 * The first connect (BRK-07 b, docs/conformance-cards.md#brk-07): a venue that refuses or drops the handshake may simply not be up yet
 * (Gateway still starting, LEAN PR #151), so attempts follow the reconnect ladder until the connect deadline, measured on the Clock,
 * and only then fail, with BROKER.CONNECT_TIMEOUT. Each handshake gets only the time left, so the whole connect never
 * outlives its deadline.
 */
export async function dialUntilDeadline(o: DialOptions): Promise<number> {
  const deadline = o.clock.now() + o.deadlineMs * 1_000;
  const left = (): number => Math.ceil((deadline - o.clock.now()) / 1_000);
  let attempts = 0;
  let last = 'no attempt';
  for (;;) {
    if (o.cancelled()) throw new HarvesterError('BROKER.NOT_CONNECTED', 'disconnected while connecting');
    attempts++;
    try {
      await o.link.open(Math.max(1, left()));
      return attempts;
    } catch (e) {
      const error = e instanceof HarvesterError ? e : new HarvesterError('BROKER.NOT_CONNECTED', String(e));
      if (FINAL.has(error.code) || o.cancelled()) throw error;
      last = error.message;
      await o.link.closeAndWait();
    }
    const remaining = left();
    if (remaining <= 0) break;
    await o.wait(Math.min(o.nextDelayMs(), remaining));
    if (left() <= 0) break;
  }
  throw new HarvesterError('BROKER.CONNECT_TIMEOUT', `TWS not reachable within ${o.deadlineMs} ms (${attempts} attempts; last: ${last})`, {
    details: { attempts },
  });
}
