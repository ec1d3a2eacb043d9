import type { BreachAction } from '../../ports/risk-policy.js';

/**
 * The risk floor of a session that can reach a real account (docs/risk-floor.md): five policies at the roadmap's
 * risk-model defaults. A paper or live chain that lacks one gets it added at the default (and the session says so);
 * a live chain that configures one looser than the floor is refused unless `live.belowRiskFloor` names it with a
 * reason, and that override is journaled.
 */
export interface FloorPolicy {
  readonly use: string;
  readonly action: BreachAction;
  /** Params of the added policy; `startEquity` in dollars. */
  params(startEquity: number): Record<string, unknown>;
  /** Why the configured (parsed) params are looser than the floor, or null when they are at or inside it. */
  looser(params: Readonly<Record<string, unknown>>, startEquity: number): string | null;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export const RISK_FLOOR: readonly FloorPolicy[] = Object.freeze([
  {
    use: 'daily-loss',
    action: 'halt',
    params: () => ({ maxLossPct: 1.0 }),
    looser: (p) => ((num(p.maxLossPct) ?? 0) > 1.0 ? `maxLossPct ${String(p.maxLossPct)} % is above the floor's 1 %` : null),
  },
  {
    use: 'max-position',
    action: 'reject',
    params: (equity) => ({ maxPositionValue: equity }),
    looser: (p, equity) => {
      const v = num(p.maxPositionValue);
      if (v === undefined) return `no maxPositionValue (the floor caps a position at the start equity, ${equity})`;
      return v > equity ? `maxPositionValue ${v} is above the start equity ${equity}` : null;
    },
  },
  {
    use: 'risk-per-trade',
    action: 'reject',
    params: () => ({ riskPct: 0.25 }),
    looser: (p) => ((num(p.riskPct) ?? 0) > 0.25 ? `riskPct ${String(p.riskPct)} % is above the floor's 0.25 %` : null),
  },
  {
    use: 'max-trades-day',
    action: 'reject',
    params: () => ({ max: 5 }),
    looser: (p) => ((num(p.max) ?? 0) > 5 ? `max ${String(p.max)} trades a day is above the floor's 5` : null),
  },
  {
    use: 'consecutive-losses',
    action: 'halt',
    params: () => ({ max: 3 }),
    looser: (p) => ((num(p.max) ?? 0) > 3 ? `max ${String(p.max)} losses in a row is above the floor's 3` : null),
  },
]);

export interface FloorFinding {
  /** The policy id of the floor entry. */
  policy: string;
  /** Config path of the configured selection (below-floor findings) or 'risk (added)'. */
  path: string;
  detail: string;
}

export interface RiskFloorReport {
  /** True for sessions that can reach an account (mode paper or live, or any venue adapter). */
  applies: boolean;
  /** Floor policies the chain lacked, added at their defaults (in this order, after the configured ones). */
  added: { use: string; action: BreachAction; params: Record<string, unknown> }[];
  /** Configured policies looser than the floor (a 'warn' action is looser: it never blocks). */
  below: FloorFinding[];
  /** `live.belowRiskFloor.reason` when the live config accepted the findings explicitly. */
  override: string | null;
}

/** Compare a chain (by policy id, params after parsing) with the floor. Pure: the caller decides what a finding means. */
export function assessRiskFloor(
  chain: readonly { id: string; path: string; action: BreachAction; params: unknown }[],
  startEquity: number,
): Pick<RiskFloorReport, 'added' | 'below'> {
  const added: RiskFloorReport['added'] = [];
  const below: FloorFinding[] = [];
  for (const floor of RISK_FLOOR) {
    const configured = chain.filter((c) => c.id === floor.use);
    if (configured.length === 0) {
      added.push({ use: floor.use, action: floor.action, params: floor.params(startEquity) });
      continue;
    }
    // One configured instance at or inside the floor is enough: a chain denies if any policy denies.
    const verdicts = configured.map((c) => ({
      c,
      why:
        c.action === 'warn'
          ? `action 'warn' never blocks (the floor needs '${floor.action}')`
          : floor.looser((c.params ?? {}) as Record<string, unknown>, startEquity),
    }));
    if (verdicts.every((v) => v.why !== null)) for (const v of verdicts) below.push({ policy: floor.use, path: v.c.path, detail: v.why! });
  }
  return { added, below };
}
