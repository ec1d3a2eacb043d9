import type { AlertLevel, AlertsConfig, AlertType } from '../../core/config/alerts-schema.js';
import type { JournalEntry } from '../../ports/journal.js';

export interface RaisedAlert {
  type: AlertType;
  level: AlertLevel;
  key: string;
  title: string;
  detail: string;
  at: number;
}

/** The level each type has unless the config says otherwise. */
export const DEFAULT_LEVELS: Readonly<Record<AlertType, AlertLevel>> = {
  'kill-switch': 'critical',
  disconnect: 'critical',
  'stale-data': 'critical',
  'reject-storm': 'critical',
  'read-only': 'critical',
  entitlement: 'critical',
  reconciliation: 'critical',
  'learning-rollback': 'critical',
  'flatten-failed': 'critical',
  'process-died': 'critical',
  'plugin-error': 'warning',
  session: 'info',
};

const US = 1_000_000;

/**
 * Turns journal rows into alerts. It reads the rows every part of Harvester already writes (kill-switch transitions,
 * connection changes, feed status, rejects, reconciliation, learning, flatten escalation), so nothing on the hot path
 * calls it and a new trigger is a new rule here, not a new call in the engine. Conditions that need time to pass (a
 * link down longer than `disconnectAfterSec`) are also checked by `tick` on a timer.
 */
export class AlertRules {
  private downSince: { at: number; wallMs: number; reason: string } | null = null;
  private downAlerted = false;
  private readonly rejects: number[] = [];

  constructor(private readonly config: AlertsConfig) {}

  /** Alerts raised by one row (usually none). */
  onRow(row: JournalEntry, wallMs: number): RaisedAlert[] {
    const d = row.data as Record<string, unknown>;
    const out: RaisedAlert[] = [];
    const raise = (type: AlertType, key: string, title: string, detail: string) => {
      const level = this.level(type);
      if (level !== 'off') out.push({ type, level, key, title, detail, at: row.time });
    };
    const t = row.type;
    if (t === 'risk.state-changed') {
      const reason = (d.reason ?? {}) as { code?: string; message?: string };
      raise(
        'kill-switch',
        `${String(d.to)}:${reason.code ?? ''}`,
        `Kill switch ${String(d.from)} → ${String(d.to)}: ${reason.code ?? 'unknown'}`,
        `${reason.message ?? ''}${d.by ? ` (by ${String(d.by)})` : ''}`,
      );
    } else if (t === 'connection.changed') {
      const to = String(d.to);
      if (to === 'Connected') {
        if (this.downSince !== null && this.downAlerted)
          raise('disconnect', 'reconnected', 'Broker link back', `down for ${((row.time - this.downSince.at) / US).toFixed(1)} s`);
        this.downSince = null;
        this.downAlerted = false;
      } else if (d.reason !== 'requested' && this.downSince === null && d.from === 'Connected') {
        this.downSince = { at: row.time, wallMs, reason: String(d.reason ?? to) };
      }
    } else if (t === 'feed.stale') {
      raise(
        'stale-data',
        `${String(d.symbol ?? '')}:${String(d.stream ?? '')}`,
        `Stale market data ${String(d.symbol ?? '')} ${String(d.stream ?? '')}`.trim(),
        String(d.reason ?? 'no data within the staleness bound'),
      );
    } else if (t === 'order.rejected') {
      this.rejects.push(row.time);
      const from = row.time - this.config.rejectStorm.windowSec * US;
      while (this.rejects.length > 0 && this.rejects[0]! < from) this.rejects.shift();
      if (this.rejects.length >= this.config.rejectStorm.count) {
        raise(
          'reject-storm',
          'rejects',
          `Reject storm: ${this.rejects.length} rejects in ${this.config.rejectStorm.windowSec} s`,
          `last: ${String(d.code ?? '')} ${String(d.message ?? '')}`.trim(),
        );
      }
    } else if (/read.?only/i.test(t) || (t === 'broker.error' && /read.?only/i.test(String(d.message ?? '')))) {
      raise('read-only', 'read-only', 'TWS API is read-only: no order can be placed', String(d.message ?? t));
    } else if (/entitlement/i.test(t) && !/passed|ok$/.test(t)) {
      raise(
        'entitlement',
        `${String(d.symbol ?? '')}:${String(d.stream ?? d.feed ?? '')}`,
        `Market-data entitlement failed ${String(d.symbol ?? '')}`.trim(),
        String(d.message ?? d.reason ?? t),
      );
    } else if (t === 'reconciliation.completed' || t === 'reconciliation.end-of-day' || /discrepanc/.test(t)) {
      const discrepancies = Array.isArray(d.discrepancies) ? d.discrepancies.length : /discrepanc/.test(t) ? 1 : 0;
      if (discrepancies > 0 || (t === 'reconciliation.completed' && d.status !== 'complete')) {
        // (an end-of-day report is `clean` or `discrepancies`; only the latter has entries)
        raise(
          'reconciliation',
          t,
          `Reconciliation: ${discrepancies} ` +
            `discrepanc${discrepancies === 1 ? 'y' : 'ies'}${d.status && d.status !== 'complete' ? ` (${String(d.status)})` : ''}`,
          JSON.stringify(d.discrepancies ?? d).slice(0, 500),
        );
      }
    } else if (/(rollback|rolled-back)/.test(t)) {
      raise(
        'learning-rollback',
        String(d.toVersion ?? d.version ?? t),
        'Learning rolled back a promoted memory version',
        JSON.stringify(d).slice(0, 500),
      );
    } else if (/flatten/.test(t) && /(escalat|failed|gave-up)/.test(t)) {
      raise(
        'flatten-failed',
        String(d.symbol ?? row.symbol ?? ''),
        `Flatten failed${row.symbol ? ` for ${row.symbol}` : ''}: operator action needed`,
        JSON.stringify(d).slice(0, 500),
      );
    } else if (t === 'plugin.error') {
      raise(
        'plugin-error',
        `${String(d.pluginId ?? '')}:${String(d.code ?? '')}`,
        `Plugin ${String(d.pluginId ?? '?')} threw in ${String(d.event ?? '?')}`,
        String(d.message ?? ''),
      );
    }
    if (this.downSince !== null && !this.downAlerted && row.time - this.downSince.at >= this.config.disconnectAfterSec * US)
      out.push(...this.downAlert(row.time));
    return out;
  }

  /** Called on a wall-clock timer: a link still down past the threshold alerts even when no row arrives. */
  tick(wallMs: number, clockNow: number): RaisedAlert[] {
    if (this.downSince === null || this.downAlerted) return [];
    if (wallMs - this.downSince.wallMs < this.config.disconnectAfterSec * 1000) return [];
    return this.downAlert(clockNow);
  }

  level(type: AlertType): AlertLevel | 'off' {
    return this.config.levels[type] ?? DEFAULT_LEVELS[type];
  }

  private downAlert(at: number): RaisedAlert[] {
    this.downAlerted = true;
    const since = this.downSince!;
    const level = this.level('disconnect');
    if (level === 'off') return [];
    return [
      {
        type: 'disconnect',
        level,
        key: 'down',
        title: `Broker link down for more than ${this.config.disconnectAfterSec} s`,
        detail: `since ${new Date(since.at / 1000).toISOString()} (${since.reason})`,
        at,
      },
    ];
  }
}
