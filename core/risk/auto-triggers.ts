import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Micros } from '../domain/units.js';
import type { RiskCode } from '../domain/error-codes.js';
import type { HarvesterEvents } from '../events/harvester-events.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { ConnectionState } from '../../ports/broker-adapter.js';
import type { Disposer } from '../../ports/create-token.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';

/** The events the kill switch listens to, typed from the kernel's event map. */
export type TriggerEvents = Pick<
  HarvesterEvents,
  'connection.changed' | 'feed.stale' | 'feed.resumed' | 'feed.unsubscribed' | 'order.rejected' | 'broker.error' | 'plugin.error'
>;

/** Subscribe function injected by the kernel (its bus's `on`), so this module does not depend on the bus class. */
export type Subscribe = <K extends keyof TriggerEvents>(event: K, listener: (payload: TriggerEvents[K]) => void) => Disposer;

/** The part of the risk gate the triggers drive. */
export interface EscalationTarget {
  readonly state: TradingState;
  escalate(to: TradingState, reason: RiskReason, by: string): boolean;
  addHoldCondition(condition: () => readonly RiskReason[]): Disposer;
}

const level = z.enum(['SAFE_MODE', 'HALT']);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const autoTriggerParams = z
  .object({
    /** N transitions to Reconnecting within windowMs → HALT (RISK.RECONNECT_LOOP). */
    reconnectLoop: z
      .object({ count: z.number().int().min(1).default(3), windowMs: z.number().int().positive().default(300_000) })
      .strict()
      .default({ count: 3, windowMs: 300_000 }),
    /** Degraded/Reconnecting/Disconnected for longer than timeoutMs → `action` (RISK.OUTAGE). */
    outage: z
      .object({
        timeoutMs: z.number().int().positive().default(30_000),
        action: level.default('SAFE_MODE'),
        /**
         * Card RISK-11 (docs/conformance-cards.md#risk-11) behaviour: SAFE_MODE (RISK.BROKER_NOT_READY) as soon as the broker leaves
         * Connected.
         */
        immediateSafeMode: z.boolean().default(false),
        /** Scheduled broker resets (exchange time): an outage starting inside one only counts once it ends. */
        quietWindows: z.array(z.object({ start: hhmm, end: hhmm }).strict()).default([]),
        timeZone: z.string().default('America/New_York'),
      })
      .strict()
      .default({ timeoutMs: 30_000, action: 'SAFE_MODE', immediateSafeMode: false, quietWindows: [], timeZone: 'America/New_York' }),
    /** A subscription silent for staleMs → SAFE_MODE; for killMs, or escalated by the feed → HALT (RISK.STALE_DATA). */
    staleData: z
      .object({ staleMs: z.number().int().positive().default(5_000), killMs: z.number().int().positive().default(30_000) })
      .strict()
      .default({ staleMs: 5_000, killMs: 30_000 }),
    /** K broker-origin order rejects within windowMs → HALT (RISK.REPEATED_REJECTS). */
    rejects: z
      .object({ count: z.number().int().min(1).default(3), windowMs: z.number().int().positive().default(60_000) })
      .strict()
      .default({ count: 3, windowMs: 60_000 }),
    /**
     * Pacing (100/162/420) and line-budget (101) venue errors. Entitlement codes are not among them: 354 (not
     * subscribed) fails one line and the feed's data check blocks entries in that symbol; 10090 (part of the data not
     * subscribed) keeps the line as a warning (docs/tws-account-and-reconciliation.md).
     */
    venue: z
      .object({ pacing: level.default('HALT'), lineBudget: level.default('HALT') })
      .strict()
      .default({ pacing: 'HALT', lineBudget: 'HALT' }),
    /** M errors from one plugin within windowMs → HALT (RISK.PLUGIN_FAILING). */
    pluginErrors: z
      .object({ count: z.number().int().min(1).default(5), windowMs: z.number().int().positive().default(60_000) })
      .strict()
      .default({ count: 5, windowMs: 60_000 }),
  })
  .strict();

export type AutoTriggerParams = z.output<typeof autoTriggerParams>;
export const PACING_CODES: ReadonlySet<number> = new Set([100, 162, 420]);
export const LINE_BUDGET_CODES: ReadonlySet<number> = new Set([101]);
const OUT: ReadonlySet<ConnectionState> = new Set(['Degraded', 'Reconnecting', 'Disconnected']);
const MS = 1000;

/** Timestamps inside a sliding window; old ones are dropped on each push. Returns the count after the push. */
function pushInWindow(list: Micros[], now: Micros, windowUs: Micros): number {
  list.push(now);
  let drop = 0;
  while (drop < list.length && list[drop]! <= now - windowUs) drop++;
  if (drop > 0) list.splice(0, drop);
  return list.length;
}

function r(code: RiskCode, limit: string, observed: number, threshold: number, message?: string): RiskReason {
  return message === undefined ? { code, limit, observed, threshold } : { code, limit, observed, threshold, message };
}

/**
 * The automatic kill switch (docs/trading-safety.md#kill-switch, card RISK-14; docs/conformance-cards.md#risk-14): turns connection, feed,
 * order and plugin trouble into escalations of the risk gate. All windows and timeouts run on the injected Clock, so replay reproduces
 * them.
 *
 * Invariants:
 * - It only ever escalates; de-escalation is the operator's `clear`, which the hold conditions registered here
 *   refuse while the broker is still out or a subscription is still stale.
 * - Each trigger causes at most one transition per level (the gate ignores an escalation to the current level).
 */
export class AutoTriggers {
  private readonly disposers: Disposer[] = [];
  private readonly reconnects: Micros[] = [];
  private readonly rejects: Micros[] = [];
  private readonly pluginErrors = new Map<string, Micros[]>();
  private readonly stale = new Map<string, Micros>();
  private connection: ConnectionState | null = null;
  private outageTimer: TimerHandle | null = null;
  private outageSince: Micros | null = null;

  constructor(
    private readonly gate: EscalationTarget,
    private readonly clock: Clock,
    private readonly params: AutoTriggerParams = autoTriggerParams.parse({}),
  ) {}

  /** Start listening; returns a disposer that also cancels the outage timer and releases the hold conditions. */
  attach(on: Subscribe): Disposer {
    this.disposers.push(
      on('connection.changed', (e) => this.onConnection(e.to)),
      on('feed.stale', (e) => this.onStale(`${e.symbol}:${e.stream}`, e.silentFor, e.escalated)),
      on('feed.resumed', (e) => this.stale.delete(`${e.symbol}:${e.stream}`)),
      on('feed.unsubscribed', (e) => this.stale.delete(`${e.symbol}:${e.stream}`)),
      // Read-only refusals are one cause, escalated once as SAFE_MODE (onBrokerError), not a run of rejects.
      on('order.rejected', (e) => {
        if (e.origin === 'broker' && e.code !== 'BROKER.READ_ONLY') this.onReject();
      }),
      on('broker.error', (e) => this.onBrokerError(e.code, e.severity, e.message, e.harvesterCode)),
      on('plugin.error', (e) => this.onPluginError(e.pluginId)),
      this.gate.addHoldCondition(() => this.holding()),
    );
    return () => this.dispose();
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    this.cancelOutageTimer();
  }

  /** The learning loop found its update unstable (docs/trading-safety.md#learning-guardrails): stop new entries until an operator looks. */
  learningUnstable(reason: string): boolean {
    return this.gate.escalate('SAFE_MODE', r('RISK.LEARNING_UNSTABLE', 'learner.sanity', 1, 0, reason), 'auto');
  }

  /** What still holds, for `clear`: the broker out, or stale subscriptions. */
  holding(): readonly RiskReason[] {
    const out: RiskReason[] = [];
    if (this.connection !== null && this.connection !== 'Connected') {
      out.push(r('RISK.OUTAGE', 'auto-triggers.outage', 1, 0, `broker is ${this.connection}`));
    }
    for (const [key, silentFor] of this.stale)
      out.push(
        r(
          'RISK.STALE_DATA',
          'auto-triggers.staleData.staleMs',
          Math.floor(silentFor / MS),
          this.params.staleData.staleMs,
          `${key} is stale`,
        ),
      );
    return out;
  }

  private onConnection(to: ConnectionState): void {
    this.connection = to;
    const now = this.clock.now();
    if (to === 'Connected') {
      this.cancelOutageTimer();
      this.outageSince = null;
      return;
    }
    if (to === 'Reconnecting') {
      const { count, windowMs } = this.params.reconnectLoop;
      const n = pushInWindow(this.reconnects, now, windowMs * MS);
      if (n >= count) {
        this.gate.escalate('HALT', r('RISK.RECONNECT_LOOP', 'auto-triggers.reconnectLoop.count', n, count), 'auto');
        return;
      }
    }
    if (!OUT.has(to) || this.outageSince !== null) return;
    this.outageSince = now;
    if (this.params.outage.immediateSafeMode) {
      this.gate.escalate(
        'SAFE_MODE',
        r('RISK.BROKER_NOT_READY', 'auto-triggers.outage.immediateSafeMode', 1, 0, `broker is ${to}`),
        'auto',
      );
    }
    const deadline = this.outageDeadline(now);
    this.outageTimer = this.clock.setTimer(deadline, () => this.onOutageTimeout(), 'risk.outage');
  }

  private outageDeadline(start: Micros): Micros {
    const { timeoutMs, quietWindows, timeZone } = this.params.outage;
    let deadline = start + timeoutMs * MS;
    const local = DateTime.fromMillis(Math.floor(start / 1000), { zone: timeZone });
    for (const w of quietWindows) {
      // A window may wrap midnight (23:45–00:45): try it anchored on today and on yesterday.
      for (const dayShift of [0, -1]) {
        const day = local.startOf('day').plus({ days: dayShift });
        const s = day.set({ hour: +w.start.slice(0, 2), minute: +w.start.slice(3) });
        let e = day.set({ hour: +w.end.slice(0, 2), minute: +w.end.slice(3) });
        if (e <= s) e = e.plus({ days: 1 });
        const sUs = s.toMillis() * 1000;
        const eUs = e.toMillis() * 1000;
        if (start >= sUs && start < eUs) deadline = Math.max(deadline, eUs);
      }
    }
    return deadline;
  }

  private onOutageTimeout(): void {
    this.outageTimer = null;
    if (this.outageSince === null || this.connection === 'Connected') return;
    const lasted = Math.floor((this.clock.now() - this.outageSince) / MS);
    const { action, timeoutMs } = this.params.outage;
    this.gate.escalate(
      action,
      r('RISK.OUTAGE', 'auto-triggers.outage.timeoutMs', lasted, timeoutMs, `broker ${this.connection ?? 'unknown'}`),
      'auto',
    );
  }

  private cancelOutageTimer(): void {
    if (this.outageTimer !== null) this.clock.cancelTimer(this.outageTimer);
    this.outageTimer = null;
  }

  private onStale(key: string, silentFor: Micros, escalated: boolean): void {
    const { staleMs, killMs } = this.params.staleData;
    const ms = Math.floor(silentFor / MS);
    if (ms < staleMs && !escalated) return;
    this.stale.set(key, silentFor);
    if (escalated || ms >= killMs) {
      this.gate.escalate('HALT', r('RISK.STALE_DATA', 'auto-triggers.staleData.killMs', ms, killMs, `${key} silent`), 'auto');
    } else {
      this.gate.escalate('SAFE_MODE', r('RISK.STALE_DATA', 'auto-triggers.staleData.staleMs', ms, staleMs, `${key} silent`), 'auto');
    }
  }

  private onReject(): void {
    const { count, windowMs } = this.params.rejects;
    const n = pushInWindow(this.rejects, this.clock.now(), windowMs * MS);
    if (n >= count) this.gate.escalate('HALT', r('RISK.REPEATED_REJECTS', 'auto-triggers.rejects.count', n, count), 'auto');
  }

  private onBrokerError(code: number, severity: string, message: string, harvesterCode?: string): void {
    if (harvesterCode === 'BROKER.READ_ONLY') {
      // The venue refuses every order (TWS "Read-Only API"): no new entries until an operator fixes the setting.
      this.gate.escalate('SAFE_MODE', r('RISK.BROKER_NOT_READY', 'auto-triggers.broker.readOnly', code, 0, message), 'auto');
    } else if (PACING_CODES.has(code)) {
      this.gate.escalate(this.params.venue.pacing, r('RISK.PACING', 'auto-triggers.venue.pacing', code, 0, message), 'auto');
    } else if (LINE_BUDGET_CODES.has(code)) {
      this.gate.escalate(this.params.venue.lineBudget, r('RISK.LINE_BUDGET', 'auto-triggers.venue.lineBudget', code, 0, message), 'auto');
    } else if (severity === 'fatal') {
      this.gate.escalate('HALT', r('RISK.BROKER_NOT_READY', 'auto-triggers.broker.fatal', code, 0, message), 'auto');
    }
  }

  private onPluginError(pluginId: string): void {
    let list = this.pluginErrors.get(pluginId);
    if (list === undefined) this.pluginErrors.set(pluginId, (list = []));
    const { count, windowMs } = this.params.pluginErrors;
    const n = pushInWindow(list, this.clock.now(), windowMs * MS);
    if (n >= count)
      this.gate.escalate('HALT', r('RISK.PLUGIN_FAILING', 'auto-triggers.pluginErrors.count', n, count, `plugin ${pluginId}`), 'auto');
  }
}
