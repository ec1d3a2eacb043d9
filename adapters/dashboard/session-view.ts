import { describeRisk } from '../../core/risk/describe-risk.js';
import type { HarvesterRuntime } from '../../core/di/container.js';
import type { ResolvedConfig } from '../../core/config/resolve-config.js';
import type { OutboxRecord } from '../alerts/alert-dispatcher.js';
import type { SessionFeed } from './session-feed.js';

const POINTS = 600;

/**
 * The dashboard's picture of the session, read from the running kernel (kill switch, books, ledger, working orders,
 * memory) and from the journal stream (reasons, decisions, markers). Read-only: the only way to change the session
 * from the dashboard is the operator path (`OperatorControls.apply`), the same one `harvester control` takes.
 */
export class SessionView {
  private readonly prices = new Map<string, [number, number][]>();
  readonly alerts: OutboxRecord[] = [];

  constructor(
    private readonly runtime: HarvesterRuntime,
    private readonly resolved: ResolvedConfig,
    private readonly sessionId: string,
    private readonly feed: SessionFeed,
  ) {}

  /** Samples each symbol's mid for the live chart (called on a timer and before every snapshot). */
  sample(): void {
    const now = this.runtime.clock.now();
    for (const i of this.symbols()) {
      const b = this.runtime.parts.router.book(i);
      if (b === undefined || b.bestBid === 0 || b.bestAsk === 0) continue;
      const pts = this.prices.get(i) ?? [];
      const t = Math.floor(now / 1_000_000);
      const mid = (b.bestBid + b.bestAsk) / 2;
      if (pts.length > 0 && pts[pts.length - 1]![0] === t) pts[pts.length - 1]![1] = mid;
      else pts.push([t, mid]);
      if (pts.length > POINTS) pts.splice(0, pts.length - POINTS);
      this.prices.set(i, pts);
    }
  }

  noteAlert(r: OutboxRecord): void {
    if (r.state !== 'raised') return;
    this.alerts.push(r);
    if (this.alerts.length > 30) this.alerts.splice(0, this.alerts.length - 30);
  }

  snapshot(): Record<string, unknown> {
    this.sample();
    const { engine, clock, parts } = this.runtime;
    const now = clock.now();
    const ledger = parts.ledger;
    const root = this.resolved.root;
    return {
      session: {
        id: this.sessionId,
        mode: root.mode,
        strategy: this.resolved.strategies.map((s) => s.instanceId).join(', '),
        timeZone: root.session.timeZone,
        now,
      },
      killSwitch: { state: engine.gate.state, last: this.feed.killSwitch },
      connection: this.feed.connection,
      paused: [...engine.pausedSymbols],
      data: this.symbols().map((symbol) => {
        const b = parts.router.book(symbol);
        const last = b?.lastRecvTime ?? 0;
        return {
          symbol,
          bid: b?.bestBid ?? 0,
          ask: b?.bestAsk ?? 0,
          ageMs: last === 0 ? null : Math.max(0, Math.round((now - last) / 1000)),
        };
      }),
      positions: ledger.positions(),
      workingOrders: engine.orders.registry.working().map((o) => ({
        coid: o.coid,
        symbol: o.symbol,
        role: o.role,
        side: o.side,
        quantity: o.quantity,
        filled: o.filled,
        stop: this.feed.stops.get(o.coid)?.price ?? null,
      })),
      pnl: {
        realized: ledger.realized(),
        unrealized: ledger.unrealized(),
        daily: ledger.dailyPnl(),
        equity: ledger.equity(),
        startEquity: ledger.startEquity,
      },
      limits: describeRisk(this.resolved.risk, { startEquity: root.account.startEquity }),
      memory: engine.memory.current === null ? null : { version: engine.memory.current.version },
      decisions: this.feed.decisions.slice(-15).reverse(),
      operator: this.feed.operator.slice(-10).reverse(),
      alerts: this.alerts
        .slice(-10)
        .reverse()
        .map((r) => ({ type: r.alert.type, level: r.alert.level, title: r.alert.title, at: r.alert.at })),
      chart: this.symbols().map((symbol) => ({
        symbol,
        points: this.prices.get(symbol) ?? [],
        markers: this.feed.markers.filter((m) => m.symbol === symbol),
        stops: [...this.feed.stops.values()].filter((s) => s.symbol === symbol).map((s) => s.price),
      })),
    };
  }

  private symbols(): string[] {
    const fromConfig = this.resolved.root.instruments.map((i) => i.symbol);
    return fromConfig.length > 0
      ? fromConfig
      : [...new Set(this.resolved.strategies.map((s) => String((s.params as { symbol?: string }).symbol ?? '')).filter(Boolean))];
  }
}
