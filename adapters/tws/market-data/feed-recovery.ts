import type { ConnectionState } from '../../../ports/broker-adapter.js';
import type { FeedEventName, FeedEvents } from '../../../ports/market-data-feed.js';
import type { TwsConnection } from '../connection/connection.js';
import type { LinkUp } from '../connection/connection.types.js';
import type { FeedSub } from './feed-sub.js';

export interface FeedRecoveryHost {
  subs(): Iterable<FeedSub>;
  emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void;
  request(sub: FeedSub): void;
  forget(sub: FeedSub): void;
  clearDepth(sub: FeedSub): void;
  resubscribe(sub: FeedSub, clear: boolean): void;
}

/**
 * What the connection's ups and downs mean for the feed's lines (docs/tws-adapter.md#connection-states, #upstream; cards FEED-30, FEED-31;
 * docs/conformance-cards.md#feed-30):
 * - socket lost (`interrupted`): `feed.interrupted`; every request id is dead and every depth book is cleared;
 * - upstream lost (1100/2110, the connection goes Degraded): `feed.interrupted`, the requests stay (TWS may keep them);
 * - a new socket, or 1101 (data lost): every desired line is requested again under a new epoch, depth cleared first;
 * - 1102 (data kept): nothing is re-requested; silence is counted afresh from the restore;
 * - a first connect sends the lines subscribed before the link was up.
 * While down, staleness watches are off (the silence is already reported) and no stale line is resubscribed.
 * After any interruption, each line's next data emits `feed.resumed`.
 */
export class TwsFeedRecovery {
  /** Between an interruption and the restore. */
  down = false;
  private readonly off: (() => void)[] = [];

  constructor(
    conn: TwsConnection,
    private readonly host: FeedRecoveryHost,
  ) {
    const onInterrupted = (reason: string): void => this.interrupted(reason, true);
    const onState = (_from: ConnectionState, to: ConnectionState, reason: string): void => {
      if (to === 'Degraded') this.interrupted(reason, false);
    };
    const onRestored = (kind: LinkUp): void => this.restored(kind);
    conn.on('interrupted', onInterrupted);
    conn.on('state', onState);
    conn.on('restored', onRestored);
    this.off.push(
      () => conn.off('interrupted', onInterrupted),
      () => conn.off('state', onState),
      () => conn.off('restored', onRestored),
    );
  }

  dispose(): void {
    for (const f of this.off.splice(0)) f();
  }

  private interrupted(reason: string, socketLost: boolean): void {
    this.down = true;
    let n = 0;
    for (const sub of this.host.subs()) {
      n++;
      sub.resumePending = true;
      sub.watch.cancel();
    }
    this.host.emit('feed.interrupted', { reason, subscriptions: n });
    if (!socketLost) return;
    for (const sub of this.host.subs()) {
      this.host.clearDepth(sub);
      this.host.forget(sub);
    }
  }

  private restored(kind: LinkUp): void {
    this.down = false;
    for (const sub of [...this.host.subs()]) {
      if (kind === 'connect') {
        // A line still holding an id was requested on a socket the user closed since: that id died with it.
        if (sub.reqId < 0) this.host.request(sub);
        else this.host.resubscribe(sub, true);
      } else if (kind === 'data-kept') {
        sub.resumePending = true;
        if (sub.reqId >= 0) sub.watch.start();
        else this.host.request(sub);
      } else {
        // 'reconnect' cleared depth when the socket went; 1101 kept it until now.
        sub.resumePending = true;
        this.host.resubscribe(sub, kind === 'data-lost');
      }
    }
  }
}
