import type { AccountSnapshot } from '../../../core/domain/orders.js';
import type { Micros, Money } from '../../../core/domain/units.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { TwsConnection } from '../connection/connection.js';
import type { TwsAccountSummary } from './account-summary.js';
import { accountSnapshotOf } from './account-view.js';
import type { TwsHoldings } from './holdings.js';
import type { TwsOrderFlow } from './order-flow.js';

/**
 * Which account this TWS session trades and what the port reports about it: the managed-account check at sync,
 * the account `health()` names, and the snapshot that joins TWS's summary with the local fills since. These are
 * queries on account truth (docs/tws-account-and-reconciliation.md), separate from the order submission path in
 * broker.adapter.ts: nothing here sends a message or changes an order.
 */
export class TwsAccountIdentity {
  /** The local figures when the last account summary arrived: the snapshot moves by the difference since. */
  private atSummary: AccountSnapshot | null = null;

  constructor(
    private readonly connection: TwsConnection,
    private readonly account: string | null,
    private readonly startEquity: Money,
    private readonly holdings: TwsHoldings,
    private readonly flow: TwsOrderFlow,
    private readonly summary: TwsAccountSummary,
  ) {}

  /** An account summary arrived: remember the local figures it corresponds to. */
  summaryArrived(now: Micros): void {
    this.atSummary = this.local(now);
  }

  /**
   * TWS's own figures once an account summary was answered, moved by what this process's fills and commissions did
   * since (so a snapshot between two refreshes is not stale); before the first summary, what the fills imply.
   */
  snapshot(now: Micros): AccountSnapshot {
    const local = this.local(now);
    const v = this.summary.current;
    if (v === null || this.atSummary === null) return { ...local, source: 'local' };
    const cash = local.cash - this.atSummary.cash;
    return {
      account: v.account,
      currency: v.currency,
      equity: v.equity + (local.equity - this.atSummary.equity),
      cash: v.cash + cash,
      buyingPower: v.buyingPower + cash,
      realizedPnl: v.realizedPnl + (local.realizedPnl - this.atSummary.realizedPnl),
      unrealizedPnl: v.unrealizedPnl,
      time: local.time,
      source: 'venue',
    };
  }

  /**
   * The account this TWS session would trade: the configured one when TWS manages it, else the first account TWS
   * reports (so a session without account.id sees, and the arming check refuses, whatever TWS is logged in to);
   * connected without any account named: null, which never gets an order.
   */
  reported(): string | null {
    const managed = this.connection.accounts;
    if (this.account !== null && managed.includes(this.account)) return this.account;
    return managed[0] ?? (this.connection.state === 'Connected' ? null : this.account);
  }

  /**
   * The venue refused the configured account: an authentication failure, fatal and never retried
   * (card BRK-01 b, docs/conformance-cards.md#brk-01); null when TWS manages it (or none is configured).
   * The account id is an identifier, not a credential, so naming it tells the operator which one to fix.
   */
  mismatch(): HarvesterError | null {
    const accounts = this.connection.accounts;
    if (this.account === null || accounts.includes(this.account)) return null;
    return new HarvesterError(
      'BROKER.AUTH_FAILED',
      `the configured account ${this.account} is not among the accounts this TWS session manages ` +
        `(it is logged in to ${describeAccounts(accounts)}): log TWS in to the configured account (a paper run needs a paper login on the ` +
        "paper port), or correct account.id (env('TWS_ACCOUNT')) if it names the wrong one",
    );
  }

  private local(now: Micros): AccountSnapshot {
    return accountSnapshotOf(this.holdings, this.flow, this.startEquity, this.account, now);
  }
}

/** What TWS is logged in to, by kind only (a paper id starts with D, a live one with U): ids stay out of messages. */
function describeAccounts(ids: readonly string[]): string {
  if (ids.length === 0) return 'no account';
  const paper = ids.filter((a) => /^D/i.test(a)).length;
  const parts = [
    paper > 0 ? `${paper} paper account${paper > 1 ? 's' : ''} (DU…)` : '',
    ids.length - paper > 0 ? `${ids.length - paper} live account${ids.length - paper > 1 ? 's' : ''} (U…)` : '',
  ];
  return parts.filter((p) => p !== '').join(' and ');
}
