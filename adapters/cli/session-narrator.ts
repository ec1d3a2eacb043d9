import type { HarvesterRuntime } from '../../core/di/container.js';
import type { StrategyLog } from '../../ports/strategy.js';
import type { JournalEntry } from '../../ports/journal.js';
import { clockTime, dollars } from './format.js';

/**
 * What the operator reads on stderr while a session runs. Notable journal rows (kill-switch transitions, connection
 * changes, feed trouble, rejects, reconciliation discrepancies, plugin faults, operator actions, closed trades) become
 * log lines at a fitting level, so `--log-level info` shows the session's life and the default `warn` its trouble.
 * Outside replay every kill-switch transition and, every `statusEverySec`, a one-line status are printed whatever
 * the log level: a session in HALT must never be silent.
 */
export class SessionNarrator {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: StrategyLog & { error?: (m: string, f?: Record<string, unknown>) => void },
    private readonly o: { timeZone: string; mode: string; print: (line: string) => void; statusEverySec: number },
  ) {}

  onRow = (_sessionId: string, row: JournalEntry): void => {
    const d = row.data as Record<string, unknown>;
    const t = row.type;
    const at = clockTime(row.time, this.o.timeZone);
    if (t === 'risk.state-changed') {
      const r = (d.reason ?? {}) as { code?: string; message?: string };
      const line =
        `kill switch ${String(d.from)} → ${String(d.to)} at ${at}: ` +
        `${r.code ?? ''}${r.message ? ` — ${r.message}` : ''} (by ${String(d.by ?? '?')})`;
      this.log.warn(line, { code: r.code });
      if (this.o.mode !== 'replay') this.o.print(`harvester: ${line}`);
    } else if (t === 'connection.changed') {
      (d.to === 'Connected' || d.reason === 'requested' ? this.log.info : this.log.warn)(
        `broker ${String(d.from)} → ${String(d.to)} at ${at} (${String(d.reason ?? '')})`,
      );
    } else if (t.startsWith('feed.') && t !== 'feed.end') {
      // A replayed day's gaps and halts are part of the recording, not trouble at a venue: info there, warn live.
      (t === 'feed.resumed' || t === 'feed.resubscribed' || this.o.mode === 'replay' ? this.log.info : this.log.warn)(
        `${t} ${String(d.symbol ?? '')} ${String(d.stream ?? '')} at ${at}: ${String(d.reason ?? d.status ?? '')}`.replace(/\s+/g, ' '),
      );
    } else if (t === 'order.rejected') {
      this.log.warn(`order ${row.coid ?? ''} rejected at ${at}: ${String(d.code ?? '')} ${String(d.message ?? '')}`);
    } else if (
      t === 'reconciliation.completed' &&
      (d.status !== 'complete' || (Array.isArray(d.discrepancies) && d.discrepancies.length > 0))
    ) {
      this.log.warn(`reconciliation ${String(d.status)} at ${at}: ${JSON.stringify(d.discrepancies ?? [])}`);
    } else if (t === 'plugin.error') {
      this.log.warn(`plugin ${String(d.pluginId)} threw in ${String(d.event)}: ${String(d.message)}`);
    } else if (t === 'start-gates.failed') {
      this.log.warn(`start gates not passed at ${at}: ${JSON.stringify(d.results ?? d)}`);
    } else if (t.startsWith('operator.')) {
      this.log.info(`operator ${String(d.operatorId ?? '?')}: ${t.slice(9)}${d.note ? ` (${String(d.note)})` : ''} at ${at}`);
    } else if (t === 'flatten.all') {
      this.log.info(
        `flatten at ${at}: ${String(d.reason ?? '')}, ${String(d.positions)} position(s), ${String(d.cancelled)} order(s) cancelled`,
      );
    } else if (t === 'trade.closed') {
      this.log.info(`trade ${row.tradeId ?? ''} closed at ${at}: ${String(d.exitReason)} net ${dollars(Number(d.netPnl))}`);
    }
  };

  /** Periodic status for wall-clock sessions. */
  start(runtime: HarvesterRuntime): void {
    if (this.o.mode === 'replay' || this.o.statusEverySec <= 0) return;
    this.timer = setInterval(() => this.o.print(this.status(runtime)), this.o.statusEverySec * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  status(runtime: HarvesterRuntime): string {
    const { engine, parts, clock } = runtime;
    const ledger = parts.ledger;
    const positions =
      ledger
        .positions()
        .map((p) => `${p.symbol} ${p.quantity > 0 ? '+' : ''}${p.quantity}`)
        .join(' ') || 'flat';
    const why = engine.gate.reason === null ? '' : ` (${engine.gate.reason.code})`;
    const paused = engine.pausedSymbols.size > 0 ? ` paused ${[...engine.pausedSymbols].join(',')}` : '';
    return (
      `harvester: ${clockTime(clock.now(), this.o.timeZone)} ` +
      `${engine.gate.state}${why}${paused} · ${positions} · working ` +
      `${engine.orders.registry.workingOrderCount} · day ${dollars(ledger.dailyPnl())}`
    );
  }
}
