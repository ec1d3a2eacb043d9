import type { AlertLevel, AlertType } from '../../core/config/alerts-schema.js';

/** One alert as raised: what happened, how bad, and a key that de-duplicates repeats of the same condition. */
export interface Alert {
  type: AlertType;
  level: AlertLevel;
  /** Same type + key within the de-dup window is sent once. */
  key: string;
  title: string;
  detail: string;
  sessionId: string;
  /** Clock time of the triggering row (µs); virtual in replay. */
  at: number;
  /** Wall time the alert was raised (ms since epoch), for the delivery latency. */
  raisedWallMs: number;
}

/** A delivery channel. `send` resolves once the receiving side accepted the alert; it rejects on any failure. */
export interface AlertChannel {
  readonly name: string;
  send(alert: Alert): Promise<void>;
  close?(): Promise<void>;
}

export function alertText(a: Alert): string {
  return `[${a.level.toUpperCase()}] ${a.title}\n${a.detail}\nsession ${a.sessionId}`;
}
