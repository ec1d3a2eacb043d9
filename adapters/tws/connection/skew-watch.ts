import type { Micros } from '../../../core/domain/units.js';
import type { BrokerEvents } from '../../../ports/broker-adapter.js';
import type { Emit } from '../orders/order-flow.js';

export type SkewLevel = BrokerEvents['clock.skew']['level'];

/** Thresholds on |venue − local| (ms). TWS's currentTime has whole-second resolution: anything under 1 s is noise. */
export interface SkewThresholds {
  warnMs: number;
  safeModeMs: number;
}

export const DEFAULT_SKEW: SkewThresholds = { warnMs: 2_000, safeModeMs: 5_000 };

/** The band a measured skew falls in. */
export function skewLevel(skewMs: number, t: SkewThresholds): SkewLevel {
  const abs = Math.abs(skewMs);
  return abs > t.safeModeMs ? 'safe-mode' : abs > t.warnMs ? 'warn' : 'ok';
}

/**
 * Judges each heartbeat's clock-skew measurement (docs/tws-account-and-reconciliation.md): a `clock.skew` event on
 * every change of band, so a steady skew is reported once, not every ten seconds. The kernel journals it, warns on
 * `warn` and moves the kill switch to SAFE_MODE on `safe-mode` (core/engine/account-truth.ts).
 */
export class TwsSkewWatch {
  private level: SkewLevel = 'ok';
  /** The last measurement (ms), null before the first. */
  lastMs: number | null = null;

  constructor(
    private readonly t: SkewThresholds,
    private readonly emit: Emit,
    private readonly now: () => Micros,
  ) {
    if (!(t.safeModeMs > t.warnMs)) throw new RangeError(`clock skew: safeModeMs (${t.safeModeMs}) must exceed warnMs (${t.warnMs})`);
  }

  get current(): SkewLevel {
    return this.level;
  }

  measured(skewUs: number): void {
    const skewMs = Math.round(skewUs / 1_000);
    this.lastMs = skewMs;
    const next = skewLevel(skewMs, this.t);
    if (next === this.level) return;
    this.level = next;
    this.emit('clock.skew', { skewMs, level: next, warnMs: this.t.warnMs, safeModeMs: this.t.safeModeMs, at: this.now() });
  }
}
