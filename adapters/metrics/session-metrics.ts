import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { JournalEntry } from '../../ports/journal.js';
import type { SessionView } from '../dashboard/session-view.js';

const STATE: Readonly<Record<string, number>> = { RUNNING: 0, SAFE_MODE: 1, HALT: 2 };

/**
 * Prometheus metrics of one session (prom-client): counters from the journal stream (fed by tapJournal), gauges read
 * from the running session at scrape time, plus Node's own (event-loop lag among them). Names follow Prometheus's
 * conventions: `_total` counters, base units (`_seconds`, dollars as `_usd`).
 */
export class SessionMetrics {
  readonly registry = new Registry();
  private readonly c: Record<string, Counter> = {};
  private readonly denials: Counter;
  private readonly transitions: Counter;

  constructor(
    private readonly view: SessionView,
    sessionId: string,
    mode: string,
  ) {
    this.registry.setDefaultLabels({ session: sessionId, mode });
    collectDefaultMetrics({ register: this.registry, prefix: 'harvester_process_', eventLoopMonitoringPrecision: 20 });
    const counter = (name: string, help: string) => (this.c[name] = new Counter({ name, help, registers: [this.registry] }));
    counter('harvester_orders_submitted_total', 'Orders sent to the broker');
    counter('harvester_orders_rejected_total', 'Orders the broker rejected');
    counter('harvester_orders_cancelled_total', 'Orders cancelled');
    counter('harvester_fills_total', 'Executions (partial fills count one each)');
    counter('harvester_trades_closed_total', 'Round trips closed');
    counter('harvester_market_data_gaps_total', 'Feed gaps and interruptions');
    counter('harvester_disconnects_total', 'Broker link losses not requested by the session');
    counter('harvester_decisions_total', 'Strategy decision records');
    this.denials = new Counter({
      name: 'harvester_risk_denials_total',
      help: 'Intents the risk chain denied, by reason code',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.transitions = new Counter({
      name: 'harvester_kill_switch_transitions_total',
      help: 'Kill-switch transitions, by target state',
      labelNames: ['to'],
      registers: [this.registry],
    });
    const gauge = (name: string, help: string, read: (g: Gauge) => void, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          read(this);
        },
      });
    const snap = () =>
      this.view.snapshot() as ReturnType<SessionView['snapshot']> & {
        killSwitch: { state: string };
        connection: { state: string } | null;
        pnl: Record<string, number>;
        positions: { symbol: string; quantity: number }[];
        workingOrders: unknown[];
        data: { symbol: string; ageMs: number | null }[];
      };
    gauge('harvester_kill_switch_state', 'Kill switch: 0 RUNNING, 1 SAFE_MODE, 2 HALT', (g) => g.set(STATE[snap().killSwitch.state] ?? -1));
    gauge('harvester_broker_connected', '1 while the broker link is Connected', (g) =>
      g.set(snap().connection?.state === 'Connected' ? 1 : 0),
    );
    gauge('harvester_pnl_realized_usd', 'Realised net PnL of the day, dollars', (g) => g.set(snap().pnl.realized! / 10_000));
    gauge('harvester_pnl_daily_usd', 'Realised + unrealised PnL of the day, dollars', (g) => g.set(snap().pnl.daily! / 10_000));
    gauge('harvester_working_orders', 'Orders working at the broker', (g) => g.set(snap().workingOrders.length));
    gauge(
      'harvester_position_shares',
      'Signed position per symbol',
      (g) => {
        g.reset();
        for (const p of snap().positions) g.set({ symbol: p.symbol }, p.quantity);
      },
      ['symbol'],
    );
    gauge(
      'harvester_market_data_age_seconds',
      'Age of the newest market data per symbol',
      (g) => {
        g.reset();
        for (const d of snap().data) if (d.ageMs !== null) g.set({ symbol: d.symbol }, d.ageMs / 1000);
      },
      ['symbol'],
    );
  }

  onRow = (_sessionId: string, row: JournalEntry): void => {
    const d = row.data as Record<string, unknown>;
    switch (row.type) {
      case 'order.submitted':
        this.c.harvester_orders_submitted_total!.inc();
        break;
      case 'order.rejected':
        this.c.harvester_orders_rejected_total!.inc();
        break;
      case 'order.cancelled':
        this.c.harvester_orders_cancelled_total!.inc();
        break;
      case 'order.filled':
        this.c.harvester_fills_total!.inc();
        break;
      case 'trade.closed':
        this.c.harvester_trades_closed_total!.inc();
        break;
      case 'feed.gap':
      case 'feed.interrupted':
        this.c.harvester_market_data_gaps_total!.inc();
        break;
      case 'connection.changed':
        if (d.from === 'Connected' && d.reason !== 'requested') this.c.harvester_disconnects_total!.inc();
        break;
      case 'risk.denied':
        for (const r of (d.reasons as { code?: string }[] | undefined) ?? []) this.denials.inc({ code: r.code ?? 'unknown' });
        break;
      case 'risk.state-changed':
        this.transitions.inc({ to: String(d.to) });
        break;
      default:
        if (row.kind === 'decision') this.c.harvester_decisions_total!.inc();
    }
  };
}
