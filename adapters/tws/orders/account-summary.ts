import { EventName } from '@stoqey/ib';
import type { Micros, Money } from '../../../core/domain/units.js';
import type { TwsConnection } from '../connection/connection.js';
import type { Emit } from './order-flow.js';

/** The account figures Harvester reads from TWS (account summary tags). */
export interface VenueAccount {
  account: string;
  currency: string;
  /** NetLiquidation. */
  equity: Money;
  buyingPower: Money;
  /** TotalCashValue. */
  cash: Money;
  realizedPnl: Money;
  unrealizedPnl: Money;
  time: Micros;
}

const TAGS = ['NetLiquidation', 'BuyingPower', 'TotalCashValue', 'RealizedPnL', 'UnrealizedPnL'] as const;

/** A decimal dollar string from TWS as Money (ten-thousandths); null when absent or not a finite number. */
function money(value: string | undefined): Money | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n * 10_000) : null;
}

/**
 * Account truth from TWS (docs/tws-account-and-reconciliation.md): one reqAccountSummary per refresh, answered by
 * accountSummary rows and accountSummaryEnd, then cancelled (TWS allows two open summaries per client and would
 * otherwise keep re-sending every three minutes). The rows of the configured account are kept; without one
 * configured, the first account TWS reports. A refresh that fails or times out keeps the last figures (their `time`
 * says how old they are) and is reported by the caller, never turned into zeros.
 */
export class TwsAccountSummary {
  private readonly rows = new Map<number, Map<string, Map<string, { value: string; currency: string }>>>();
  private latest: VenueAccount | null = null;

  constructor(
    private readonly conn: TwsConnection,
    private readonly account: string | null,
    private readonly emit: Emit,
    private readonly now: () => Micros,
    private readonly deadlineMs: number,
  ) {
    const ib = conn.ib;
    ib.on(EventName.accountSummary, (reqId: number, acct: string, tag: string, value: string, currency: string) => {
      const byAccount = this.rows.get(reqId);
      if (byAccount === undefined) return;
      let tags = byAccount.get(acct);
      if (tags === undefined) byAccount.set(acct, (tags = new Map()));
      tags.set(tag, { value, currency });
    });
    ib.on(EventName.accountSummaryEnd, (reqId: number) => {
      if (this.rows.has(reqId)) conn.registry.complete(reqId);
    });
  }

  /** The last figures TWS gave, or null before the first answered refresh. */
  get current(): VenueAccount | null {
    return this.latest;
  }

  /** Requests the summary once; resolves with the new figures, or null when TWS did not answer in time. */
  async refresh(): Promise<VenueAccount | null> {
    const conn = this.conn;
    if (!conn.linkUp) return null;
    const id = conn.allocateId();
    this.rows.set(id, new Map());
    try {
      await conn.registry.call({
        id,
        type: 'other',
        origin: 'account summary',
        deadlineMs: this.deadlineMs,
        send: (reqId) => conn.ib.reqAccountSummary(reqId, 'All', TAGS.join(',')),
      });
    } catch {
      return null;
    } finally {
      if (conn.linkUp) conn.ib.cancelAccountSummary(id);
    }
    const byAccount = this.rows.get(id)!;
    this.rows.delete(id);
    const acct = this.account ?? [...byAccount.keys()][0];
    const tags = acct === undefined ? undefined : byAccount.get(acct);
    const equity = money(tags?.get('NetLiquidation')?.value);
    if (acct === undefined || tags === undefined || equity === null) return null;
    const currency = tags.get('NetLiquidation')?.currency || 'USD';
    this.latest = {
      account: acct,
      currency,
      equity,
      buyingPower: money(tags.get('BuyingPower')?.value) ?? 0,
      cash: money(tags.get('TotalCashValue')?.value) ?? 0,
      realizedPnl: money(tags.get('RealizedPnL')?.value) ?? 0,
      unrealizedPnl: money(tags.get('UnrealizedPnL')?.value) ?? 0,
      time: this.now(),
    };
    const l = this.latest;
    this.emit('account.updated', {
      account: l.account,
      currency: l.currency,
      equity: l.equity,
      buyingPower: l.buyingPower,
      cash: l.cash,
      at: l.time,
    });
    return l;
  }
}
