import { DateTime } from 'luxon';
import type { Micros } from '../domain/units.js';
import type { Journal } from '../../ports/journal.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';

export interface CarriedState {
  to: Exclude<TradingState, 'RUNNING'>;
  sessionId: string;
  reason: RiskReason;
}

/** How many earlier sessions of the day are read at most: a restart loop must not make startup slow. */
const LOOKBACK = 20;

/**
 * The kill switch outlives a restart (roadmap §4.8: leaving HALT takes an operator's `clear`, never a timer — and a
 * restart is not a clear). Reads the journal of the earlier sessions of the same trading day (the session's time
 * zone) and mode, newest first, and returns the state the last of them left the gate in when that was SAFE_MODE or
 * HALT. A session that ended RUNNING (never escalated, or cleared) ends the search. Replays are independent
 * simulations and never carry state (and must stay byte-for-byte reproducible), so the caller skips this in replay.
 */
export async function carriedRiskState(journal: Journal, o: { mode: string; now: Micros; timeZone: string; currentSessionId: string }): Promise<CarriedState | null> {
  const today = DateTime.fromMillis(Math.floor(o.now / 1000), { zone: o.timeZone }).toISODate();
  // Newest first whatever order a journal lists them in (ties: the later wall start).
  const sessions = [...(await journal.sessions(LOOKBACK))].sort((a, b) => b.startedAt - a.startedAt || b.wallStartedAt.localeCompare(a.wallStartedAt));
  for (const s of sessions) {
    if (s.sessionId === o.currentSessionId || s.mode !== o.mode) continue;
    if (DateTime.fromMillis(Math.floor(s.startedAt / 1000), { zone: o.timeZone }).toISODate() !== today) break;
    const risk = await journal.entries(s.sessionId, { kind: 'risk' });
    let last: { to: TradingState; reason: RiskReason } | null = null;
    for (const e of risk) if (e.type === 'risk.state-changed') last = e.data as unknown as { to: TradingState; reason: RiskReason };
    if (last === null || last.to === 'RUNNING') return null;
    return { to: last.to, sessionId: s.sessionId, reason: last.reason };
  }
  return null;
}
