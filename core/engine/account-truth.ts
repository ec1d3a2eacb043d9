import type { Position } from '../domain/orders.js';
import type { Micros, Money, Quantity } from '../domain/units.js';
import type { BrokerEvents, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Disposer } from '../../ports/create-token.js';
import type { OrderIntent, RiskReason } from '../../ports/risk-policy.js';
import type { EscalationTarget } from '../risk/auto-triggers.js';
import type { JournalWriter } from './journal-writer.js';
import type { Ledger } from './ledger.js';

export interface AccountTruthDeps {
  broker: IBrokerAdapter;
  ledger: Ledger;
  journal: JournalWriter;
  gate: EscalationTarget;
  /** The kernel's event loop: broker events are handled in sequence with fills (`loop.post`). */
  post(task: () => void): void;
  now(): Micros;
  /** paper and live take the broker's account figures; replay and sim-live keep the configured start equity. */
  mode: 'replay' | 'sim-live' | 'paper' | 'live';
  /** Shares per symbol the kernel ledger may differ from the broker before it is a discrepancy; default 0. */
  positionTolerance?: Quantity;
}

interface Figures {
  equity: Money;
  buyingPower: Money;
  at: Micros;
  /** The ledger's day PnL when the figures arrived: equity moves with the ledger between two refreshes. */
  pnlAt: Money;
}

interface Discrepancy {
  ledger: Quantity;
  broker: Quantity;
}

/**
 * What the kernel believes about the account, and when it may not trade on that belief
 * (docs/tws-account-and-reconciliation.md).
 *
 * - Buying power: a priced entry whose notional exceeds the broker's last buying-power figure waits (paper/live).
 * - Equity: in paper and live the broker's net liquidation (account summary), moved by the ledger's day PnL since
 *   the last refresh; the session's start equity is the first figure the broker gave. Replay and sim-live keep the
 *   config's `startEquity`. Until the broker has given a figure, paper/live entries wait.
 * - Positions (paper and live): after each complete reconciliation (connect, reconnect, periodic) the ledger's positions are compared
 *   with the broker's; a difference beyond the tolerance is journaled as `account.discrepancy` and blocks entries
 *   until a later pass finds them in agreement (`account.reconciled`). The broker wins in the adapter; the ledger is
 *   not rewritten here — a position the kernel did not trade is the operator's to explain.
 * - Clock skew: the broker's bands are journaled; `warn` is a journaled warning, `safe-mode` moves the kill switch to
 *   SAFE_MODE, and `clear` is refused while the skew is still that large.
 */
export class AccountTruth {
  private figures: Figures | null = null;
  private first: Money | null = null;
  private readonly open = new Map<string, Discrepancy>();
  private skew: BrokerEvents['clock.skew'] | null = null;
  readonly venue: boolean;

  constructor(private readonly d: AccountTruthDeps) {
    this.venue = d.mode === 'paper' || d.mode === 'live';
  }

  /**
   * Listens only in paper and live: a simulated broker is fed by the same fills as the ledger, and an extra task in
   * the loop per reconciliation would shift every later loop sequence of a replay (its journal digest).
   */
  attach(): Disposer {
    const { broker, post } = this.d;
    if (!this.venue) return () => {};
    const disposers = [
      broker.on('account.updated', (a) => post(() => this.onAccount(a))),
      broker.on('reconciliation.completed', (r) => {
        // The broker's positions as they stood when the pass ended: fills emitted before it are already queued
        // ahead of this task, fills emitted after it are not in this picture either.
        const positions = broker.positions().map((p) => ({ ...p }));
        post(() => this.onReconciled(r, positions));
      }),
      broker.on('clock.skew', (s) => post(() => this.onSkew(s))),
      this.d.gate.addHoldCondition(() => this.holding()),
    ];
    return () => {
      for (const dispose of disposers) dispose();
    };
  }

  /** Equity for sizing and risk (Money). */
  equity(): Money {
    const f = this.figures;
    if (!this.venue || f === null) return this.d.ledger.equity();
    return f.equity + (this.d.ledger.dailyPnl() - f.pnlAt);
  }

  /** Equity at session start: the broker's first figure in paper/live, the configured one otherwise. */
  startEquity(): Money {
    return this.venue && this.first !== null ? this.first : this.d.ledger.startEquity;
  }

  /** The broker's buying power at the last refresh; null where the broker gives none (replay, sim). */
  buyingPower(): Money | null {
    return this.venue ? (this.figures?.buyingPower ?? null) : null;
  }

  /** Symbols whose ledger position disagrees with the broker's beyond the tolerance. */
  discrepancies(): ReadonlyMap<string, Discrepancy> {
    return this.open;
  }

  /** Why an entry must wait, or null. */
  entryBlock(intent?: OrderIntent): RiskReason | null {
    if (this.venue && this.figures === null) {
      return {
        code: 'RISK.BROKER_NOT_READY',
        limit: 'account-truth.equity',
        observed: 0,
        threshold: 1,
        message: 'no account figures (net liquidation) from the broker yet',
      };
    }
    // An entry the account cannot pay for would only come back as the venue's "insufficient funds" reject.
    const price = intent?.limitPrice ?? intent?.triggerPrice;
    const bp = this.figures?.buyingPower;
    if (this.venue && bp !== undefined && price !== undefined && intent !== undefined && intent.quantity * price > bp) {
      return {
        code: 'RISK.BUYING_POWER',
        limit: 'account-truth.buyingPower',
        observed: intent.quantity * price,
        threshold: bp,
        message: `${intent.quantity} × ${price} exceeds the broker's buying power ${bp}`,
      };
    }
    if (this.open.size > 0) {
      const list = [...this.open].map(([s, x]) => `${s} ledger ${x.ledger} vs broker ${x.broker}`).join('; ');
      return {
        code: 'RISK.ACCOUNT_DISCREPANCY',
        limit: 'account-truth.positionTolerance',
        observed: this.open.size,
        threshold: 0,
        message: `positions disagree with the broker: ${list}`,
      };
    }
    return null;
  }

  private onAccount(a: BrokerEvents['account.updated']): void {
    this.figures = { equity: a.equity, buyingPower: a.buyingPower, at: a.at, pnlAt: this.d.ledger.dailyPnl() };
    this.first ??= a.equity;
    // No account id in the journal: the figures are what matters here.
    this.d.journal.write('event', 'account.updated', {
      currency: a.currency,
      equity: a.equity,
      buyingPower: a.buyingPower,
      cash: a.cash,
      at: a.at,
    });
  }

  private onReconciled(r: BrokerEvents['reconciliation.completed'], broker: readonly Position[]): void {
    if (r.status !== 'complete') return; // positions not proven: the last verdict stands
    const tolerance = this.d.positionTolerance ?? 0;
    const brokerQty = new Map(broker.map((p) => [p.symbol, p.quantity]));
    const symbols = new Set([...brokerQty.keys(), ...this.d.ledger.positions().map((p) => p.symbol), ...this.open.keys()]);
    for (const symbol of [...symbols].sort()) {
      const ledger = this.d.ledger.quantity(symbol);
      const b = brokerQty.get(symbol) ?? 0;
      const before = this.open.get(symbol);
      if (Math.abs(b - ledger) > tolerance) {
        if (before?.ledger === ledger && before.broker === b) continue; // journaled once while it stays the same
        this.open.set(symbol, { ledger, broker: b });
        this.d.journal.write('event', 'account.discrepancy', { ledger, broker: b, tolerance, trigger: r.at }, { symbol });
      } else if (before !== undefined) {
        this.open.delete(symbol);
        this.d.journal.write('event', 'account.reconciled', { ledger, broker: b }, { symbol });
      }
    }
  }

  private onSkew(s: BrokerEvents['clock.skew']): void {
    this.skew = s;
    this.d.journal.write('event', 'clock.skew', { ...s });
    if (s.level !== 'safe-mode') return;
    this.d.gate.escalate('SAFE_MODE', this.skewReason(s), 'auto');
  }

  private skewReason(s: BrokerEvents['clock.skew']): RiskReason {
    return {
      code: 'RISK.CLOCK_SKEW',
      limit: 'broker.clockSkewSafeModeMs',
      observed: Math.abs(s.skewMs),
      threshold: s.safeModeMs,
      message: `the broker's clock is ${s.skewMs} ms off the local clock (SAFE_MODE above ${s.safeModeMs} ms): check NTP`,
    };
  }

  private holding(): readonly RiskReason[] {
    return this.skew?.level === 'safe-mode' ? [this.skewReason(this.skew)] : [];
  }
}
