import type { RiskCode } from '../domain/error-codes.js';
import type { BrokerHealth } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import type { OrderIntent, RiskContext, RiskDecision, RiskReason } from '../../ports/risk-policy.js';
import type { RiskGate } from './risk-gate.js';
import { checkStartGates, observedMode, type RunMode, type StartGateResult } from './start-gates.js';
import type { JournalWriter } from '../engine/journal-writer.js';
import type { RiskGateLike } from '../engine/order-manager-deps.js';

export interface TradingGateDeps {
  gate: RiskGate;
  clock: Clock;
  journal: JournalWriter;
  pausedSymbols: ReadonlySet<string>;
  /** The configured (intended) mode. */
  mode: RunMode;
  /** True when the broker talks to a venue: the mode it trades in is then read from the account it reports. */
  brokerIsVenue: boolean;
  /** Symbols entries may trade (config `instruments`); null: any. */
  whitelist: ReadonlySet<string> | null;
  window: { start: number; end: number };
  maxDataAgeMs: number;
  configuredAccount: string | null;
  health(): BrokerHealth;
  lastData(symbol: string): number | null;
}

const GATE_CODES: Record<StartGateResult['gate'], RiskCode> = {
  mode: 'RISK.MODE_MISMATCH',
  connection: 'RISK.BROKER_NOT_READY',
  'data-fresh': 'RISK.DATA_PREREQUISITES',
  'order-placement': 'RISK.BROKER_NOT_READY',
  'time-window': 'RISK.OUTSIDE_WINDOW',
  account: 'RISK.ACCOUNT_MISMATCH',
};

/**
 * What stands in front of the risk chain: operator pauses and the start gates (docs/trading-safety.md#start-gates). Until every start gate
 * has passed once (checked on each entry until then, then latched), entries are denied naming the failing gates;
 * a changed set of failures is journaled once, not per intent. Exits always reach the chain.
 */
export function createTradingGate(d: TradingGateDeps): RiskGateLike {
  let started = false;
  let lastFailure = '';
  const deny = (reasons: RiskReason[]): RiskDecision => ({ action: 'reject', reasons, warnings: [] });
  return {
    get state() {
      return d.gate.state;
    },
    evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
      // The kill switch outranks pauses and start gates: a halted or safe-mode session answers with its own state
      // (RISK.HALTED / RISK.SAFE_MODE), whatever else would also refuse the entry.
      if (intent.kind === 'entry' && d.gate.state === 'RUNNING') {
        if (d.pausedSymbols.has('*')) return deny([{ code: 'RISK.PAUSED', limit: 'operator.pause', observed: 1, threshold: 0 }]);
        if (d.pausedSymbols.has(intent.symbol))
          return deny([{ code: 'RISK.SYMBOL_PAUSED', limit: 'operator.pause-symbol', observed: 1, threshold: 0 }]);
        if (d.whitelist !== null && !d.whitelist.has(intent.symbol)) {
          return deny([
            {
              code: 'RISK.SYMBOL_NOT_LISTED',
              limit: 'instruments',
              observed: 0,
              threshold: 1,
              message:
                `${intent.symbol} is not in config instruments, the list ` + `of symbols this session may trade: add it there to trade it`,
            },
          ]);
        }
        if (!started) {
          const health = d.health();
          const check = checkStartGates({
            intendedMode: d.mode,
            mode: observedMode(d.mode, d.brokerIsVenue, health.account),
            health,
            now: d.clock.now(),
            lastData: { [intent.symbol]: d.lastData(intent.symbol) },
            maxDataAgeMs: d.maxDataAgeMs,
            window: d.window,
            configuredAccount: d.configuredAccount,
          });
          if (!check.ok) {
            const failed = check.results.filter((r) => !r.pass);
            const key = failed.map((f) => f.gate).join(',');
            if (key !== lastFailure) {
              lastFailure = key;
              d.journal.write('risk', 'start-gates.failed', { results: check.results }, { symbol: intent.symbol });
            }
            return deny(
              failed.map((f) => ({
                code: GATE_CODES[f.gate],
                limit: `start-gate.${f.gate}`,
                observed: 0,
                threshold: 1,
                message: f.reason,
              })),
            );
          }
          started = true;
          d.journal.write('risk', 'start-gates.passed', { results: check.results }, { symbol: intent.symbol });
        }
      }
      return d.gate.evaluate(intent, ctx);
    },
    monitor(ctx: RiskContext): void {
      d.gate.monitor(ctx);
    },
  };
}
