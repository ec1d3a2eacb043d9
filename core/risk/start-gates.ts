import type { Micros } from '../domain/units.js';
import type { BrokerHealth } from '../../ports/broker-adapter.js';

export type RunMode = 'replay' | 'sim-live' | 'paper' | 'live';

/** Everything the start gates look at, gathered by the kernel just before the first order may be sent. */
export interface StartGateInput {
  /**
   * The mode the operator meant (config) and the mode the session actually runs in, as {@link observedMode} reads it
   * from the broker; null while a venue broker has not reported its account.
   */
  intendedMode: RunMode;
  mode: RunMode | null;
  /** Broker health, or null when no broker has answered yet. */
  health: BrokerHealth | null;
  now: Micros;
  /** Last receive time of market data per traded symbol (null: nothing received yet). */
  lastData: Readonly<Record<string, Micros | null>>;
  /** Oldest data accepted, ms (kit T_stale: 5 s). */
  maxDataAgeMs: number;
  /** Trading window for entries, [start, end) in Clock time. */
  window: { start: Micros; end: Micros };
  /** Account from config; null means none configured. */
  configuredAccount: string | null;
}

export interface StartGateResult {
  gate: 'mode' | 'connection' | 'data-fresh' | 'order-placement' | 'time-window' | 'account';
  pass: boolean;
  reason: string;
}

/**
 * The start gates (docs/trading-safety.md#start-gates), "Harvester may trade ONLY if all are true", as a pure function (HV-009: no order routes outside a
 * healthy steady state). Every gate is evaluated and reported by name, so an operator sees all that is wrong at once.
 * Simulated modes (replay, sim-live) need no configured account.
 */
/**
 * The mode a session actually trades in, from what its broker is: a broker that talks to a venue trades in 'paper'
 * or 'live' as the account it reports (paper ids start with D; null until it reports one); any other broker is
 * simulated, so a session configured 'paper' or 'live' on it runs as 'sim-live'.
 */
export function observedMode(intended: RunMode, brokerIsVenue: boolean, reportedAccount: string | null): RunMode | null {
  if (!brokerIsVenue) return intended === 'replay' || intended === 'sim-live' ? intended : 'sim-live';
  if (reportedAccount === null || reportedAccount === '') return null;
  return /^D/i.test(reportedAccount) ? 'paper' : 'live';
}

export function checkStartGates(input: StartGateInput): { ok: boolean; results: StartGateResult[] } {
  const { health } = input;
  const results: StartGateResult[] = [];
  const add = (gate: StartGateResult['gate'], pass: boolean, reason: string) => results.push({ gate, pass, reason });

  add(
    'mode',
    input.mode === input.intendedMode,
    input.mode === null
      ? `the broker has not reported its account, so the mode it trades in is unknown (config intends ${input.intendedMode})`
      : input.mode === input.intendedMode
        ? `running in ${input.mode} as intended`
        : `running in ${input.mode} but config intends ` +
          `${input.intendedMode}${input.mode === 'sim-live' ? ' (the broker is simulated and never reaches an account)' : ''}`,
  );

  if (health === null) add('connection', false, 'no broker health yet');
  else
    add(
      'connection',
      health.canTrade,
      health.canTrade ? `broker ${health.state}, reconciled` : `broker ${health.state} cannot trade yet: ${health.detail}`,
    );

  const symbols = Object.keys(input.lastData);
  const stale: string[] = [];
  for (const s of symbols) {
    const t = input.lastData[s];
    if (t === null || t === undefined) stale.push(`${s} (no data)`);
    else if (input.now - t > input.maxDataAgeMs * 1000) stale.push(`${s} (${Math.floor((input.now - t) / 1000)} ms old)`);
  }
  if (symbols.length === 0) add('data-fresh', false, 'no subscribed symbols');
  else
    add(
      'data-fresh',
      stale.length === 0,
      stale.length === 0 ? `data fresh for ${symbols.join(', ')}` : `stale: ${stale.join(', ')} (limit ${input.maxDataAgeMs} ms)`,
    );

  if (health === null) add('order-placement', false, 'unknown whether orders are allowed (no broker health)');
  else
    add(
      'order-placement',
      !health.readOnly,
      health.readOnly ? 'the API session is read-only (TWS "Read-Only API" is on)' : 'orders allowed',
    );

  const open = input.now >= input.window.start && input.now < input.window.end;
  add(
    'time-window',
    open,
    open
      ? 'inside the trading window'
      : input.now < input.window.start
        ? 'the trading window has not opened'
        : 'the trading window has closed',
  );

  const simulated = input.mode === 'replay' || input.mode === 'sim-live';
  // Account ids never appear in a reason: they would reach the journal and the logs.
  const connected = health?.account ?? null;
  if (input.configuredAccount === null) {
    add('account', simulated, simulated ? 'simulated account' : `mode ${input.mode} needs account.id in config`);
  } else if (connected === null) {
    add('account', simulated, simulated ? 'simulated account' : 'the broker has not reported its account');
  } else {
    const same = connected === input.configuredAccount;
    add('account', same, same ? 'the connected account matches account.id' : 'the connected account differs from account.id');
  }
  return { ok: results.every((r) => r.pass), results };
}
