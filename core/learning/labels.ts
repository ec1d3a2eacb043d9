import type { ForcedExit, TradeLabel } from '../../ports/learner.js';

/** Rounded to 1e-6 R (Math.round is exact): labels print and hash identically everywhere. */
const r6 = (x: number): number => {
  const q = Math.round(x * 1_000_000) / 1_000_000;
  return q === 0 ? 0 : q;
};

export interface LabelInput {
  /** Net PnL (Money units = Price units × shares). */
  netPnl: number;
  /** |limit − stop| × filled quantity, the planned risk in the same units; ≤ 0 gives r = 0. */
  plannedRisk: number;
  /** Per share, Price units, ≥ 0. */
  maxAdverse: number;
  maxFavourable: number;
  /** |limit − stop| per share. */
  riskPerShare: number;
  timeInTradeMicros: number;
  exitReason: string;
  setupReason: string;
  forced: ForcedExit | null;
  /** |r| cap for forced exits. */
  rCap: number;
}

/**
 * The label of a closed trade or ghost (docs/learning-data.md): R = net PnL / planned risk, MAE/MFE in R, win, time in
 * trade, reasons. A trade the kill switch or the session end closed says more about the clock than the setup: it
 * is flagged and |R| capped at `rCap` (MAE/MFE too), so one forced exit cannot dominate a window.
 */
export function buildLabel(i: LabelInput): TradeLabel {
  let r = i.plannedRisk > 0 ? i.netPnl / i.plannedRisk : 0;
  let mae = i.riskPerShare > 0 ? -i.maxAdverse / i.riskPerShare : 0;
  let mfe = i.riskPerShare > 0 ? i.maxFavourable / i.riskPerShare : 0;
  let capped = false;
  if (i.forced !== null) {
    if (r > i.rCap || r < -i.rCap) {
      r = r > 0 ? i.rCap : -i.rCap;
      capped = true;
    }
    if (mae < -i.rCap) mae = -i.rCap;
    if (mfe > i.rCap) mfe = i.rCap;
  }
  r = r6(r);
  return {
    r,
    mae: r6(mae),
    mfe: r6(mfe),
    win: r > 0,
    timeInTrade: r6(i.timeInTradeMicros / 1_000_000),
    exitReason: i.exitReason,
    setupReason: i.setupReason,
    forced: i.forced,
    capped,
  };
}

/** Which forced exit a closed trade's reason names, given whether the kill switch was engaged or the session ending. */
export function forcedExitOf(exitReason: string, killSwitchEngaged: boolean, sessionEnding: boolean): ForcedExit | null {
  if (exitReason.endsWith('session-end')) return 'session-end';
  if (exitReason.startsWith('kill-switch')) return sessionEnding && !killSwitchEngaged ? 'session-end' : 'kill-switch';
  return null;
}
