import type { DecisionRecord } from '../../ports/strategy.js';
import type { GateRecord } from './gates.js';

/**
 * LMP decision stages, as written to the journal through `ctx.decide` (the kernel adds the memory version):
 * - `skip`    scanning, blocked by a gate (outcome `blocked:<gate>`; written when the blocking gate changes, ≤ 1/s)
 * - `setup`   `armed` (all universe + setup gates passed) or `disarmed:<gate|pullbackTooDeep|expired>`
 * - `entry`   `sent` | `denied` | `rejected` | `skipped:size`, with trigger gates, size and levels in `note`
 * - `cancel`  unfilled entry: `weakened` | `max-wait` | `feed-broken`, or `entry-cancelled`/`entry-rejected`
 * - `exit`    `tp1` (scale-out) or the close reason (`tp2`, `imbalance-flip`, `tape-flip`, `spread-breach`,
 *             `shelf-gone-bid-down`, `time-stop`, `breakeven-stop`, `session-end`, `feed-broken`)
 * - `status`  `excluded:<halted|gap|stale|suspect|interrupted>`
 * - `closed`  the kernel's exit reason for the closed trade, with its net PnL
 */
export const DECISION_STAGES = ['skip', 'setup', 'entry', 'cancel', 'exit', 'status', 'closed'] as const;

export function decision(
  symbol: string,
  stage: (typeof DECISION_STAGES)[number],
  outcome: string,
  gates: GateRecord,
  note?: string,
  tradeId?: string,
  intentId?: string,
): DecisionRecord {
  const record: DecisionRecord = { symbol, stage, outcome, gates };
  if (note !== undefined) record.note = note;
  if (tradeId !== undefined) record.tradeId = tradeId;
  if (intentId !== undefined) record.intentId = intentId;
  return record;
}
