import type { BreachAction } from '../../ports/risk-policy.js';

/** A risk selection as config resolution yields it: the plugin id (or its manifest), the action, parsed params. */
export interface RiskSelectionLike {
  id?: string;
  manifest?: { id: string };
  use?: unknown;
  action: BreachAction;
  params: unknown;
  /** Config path; a policy the risk floor added says so in it. */
  path?: string;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function verb(action: BreachAction): string {
  return action === 'warn' ? 'warn' : action === 'halt' ? 'halt trading' : 'refuse the entry';
}

function idOf(s: RiskSelectionLike): string {
  if (s.id !== undefined) return s.id;
  if (s.manifest !== undefined) return s.manifest.id;
  if (typeof s.use === 'string') return s.use;
  const m = s.use as { id?: unknown } | undefined;
  return typeof m?.id === 'string' ? m.id : '(unnamed)';
}

type P = Record<string, unknown>;
const n = (p: P, k: string, d: number): number => (typeof p[k] === 'number' ? (p[k] as number) : d);
const s = (p: P, k: string, d: string): string => (typeof p[k] === 'string' ? (p[k] as string) : d);
const pct = (v: number): string => `${v.toFixed(2)} %`;

/** The condition of each built-in, in words; defaults mirror the policies' params schemas. */
const CONDITIONS: Readonly<Record<string, (p: P, startEquity?: number) => string>> = {
  'daily-loss': (p, eq) => {
    const v = n(p, 'maxLossPct', 1);
    const money = eq === undefined ? '' : ` (−${usd.format((eq * v) / 100)} on ${usd.format(eq)})`;
    return `when the day's net PnL ≤ −${pct(v)} of start equity${money}`;
  },
  'consecutive-losses': (p) => `after ${n(p, 'max', 3)} losing trades in a row`,
  'risk-per-trade': (p) =>
    `when the entry's loss at its stop would exceed ${pct(n(p, 'riskPct', 0.25))} ` +
    `of ${s(p, 'equity', 'current')} equity, or it has no valid stop`,
  'max-position': (p) => {
    const parts: string[] = [];
    if (typeof p.maxShares === 'number') parts.push(`${int.format(p.maxShares)} shares`);
    if (typeof p.maxPositionValue === 'number') parts.push(usd.format(p.maxPositionValue));
    return `when it would leave more than ${parts.join(' or ')} in one symbol`;
  },
  'max-trades-day': (p) => `after ${n(p, 'max', 5)} trades in the New York trading day`,
  'max-reentries': (p) => `after ${n(p, 'max', 2)} re-entries in the same symbol today`,
  'cooldown-after-stop': (p) => `within ${n(p, 'seconds', 180)} s of a stop-out in the same symbol`,
  'max-open-positions': (p) => `that would open a new symbol while ${n(p, 'max', 1)} symbol(s) are held`,
  'max-order-size': (p) => {
    const parts: string[] = [];
    if (typeof p.maxQuantity === 'number') parts.push(`${int.format(p.maxQuantity)} shares`);
    if (typeof p.maxNotional === 'number') parts.push(`${usd.format(p.maxNotional)} notional`);
    return `when one order is above ${parts.join(' or ')}`;
  },
  'max-orders-day': (p) => `after ${n(p, 'max', 20)} orders today`,
  'session-window': (p) => {
    const second = p.second as { start: string; end: string } | undefined;
    const windows = `${s(p, 'start', '09:30')}–${s(p, 'end', '11:15')}${second ? ` and ${second.start}–${second.end}` : ''}`;
    return `outside ${windows} ${s(p, 'timeZone', 'America/New_York')} (start included, end excluded)`;
  },
  'price-sanity': (p) =>
    `on a quote older than ${n(p, 'maxQuoteAgeMs', 5000)} ms, a spread over ${n(p, 'maxSpreadBps', 50)} bps, ` +
    `a crossed book, or a price more than ${n(p, 'maxDeviationBps', 100)} bps from the mid`,
};

/**
 * Human-readable risk profile for `harvester config check`, one line per policy in chain order, then the
 * state-machine rules that hold whatever the chain. `startEquity` (dollars) adds money amounts where useful.
 */
export function describeRisk(selections: readonly RiskSelectionLike[], opts: { startEquity?: number } = {}): string[] {
  const lines: string[] = [];
  if (selections.length === 0) lines.push('no risk policies configured: only the kill switch and the HALT/SAFE_MODE guard apply');
  for (const sel of selections) {
    const id = idOf(sel);
    const params = (typeof sel.params === 'object' && sel.params !== null ? sel.params : {}) as P;
    const condition = CONDITIONS[id];
    const tag = sel.path?.includes('risk floor') === true ? ' [added by the risk floor]' : '';
    lines.push(
      condition === undefined
        ? `${id}: ${verb(sel.action)} on a breach (custom policy, params ${JSON.stringify(params)})${tag}`
        : `${id}: ${verb(sel.action)} ${condition(params, opts.startEquity)}${tag}`,
    );
  }
  lines.push('exits are never blocked by entry limits; SAFE_MODE allows only exits that reduce a position');
  lines.push('HALT flattens, cancels and allows nothing until an operator clears it (refused while a trigger still holds)');
  return lines;
}

/** What the risk floor did to a chain, in words (printed by `run` and `config check`; docs/risk-floor.md). */
export function describeRiskFloor(floor: {
  applies: boolean;
  added: readonly { use: string; params: Readonly<Record<string, unknown>> }[];
  below: readonly { policy: string; path: string; detail: string }[];
  override: string | null;
}): string[] {
  if (!floor.applies) return [];
  const lines: string[] = [];
  if (floor.added.length > 0) {
    lines.push(
      `risk floor: the chain lacked ${floor.added.map((a) => a.use).join(', ')}; added at the ` +
        `floor defaults (${floor.added.map((a) => `${a.use} ${JSON.stringify(a.params)}`).join('; ')})`,
    );
  }
  for (const b of floor.below) lines.push(`risk floor: ${b.path} (${b.policy}) is below the floor: ${b.detail}`);
  if (floor.override !== null) lines.push(`risk floor: live.belowRiskFloor accepts the above: ${floor.override}`);
  if (lines.length === 0)
    lines.push('risk floor: the chain meets the floor (daily-loss, max-position, risk-per-trade, max-trades-day, consecutive-losses)');
  return lines;
}
