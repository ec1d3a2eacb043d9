import { DateTime } from 'luxon';
import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { reason, reject } from '../shared/policy-kit.js';
import type { SessionWindowParams } from './params.js';

const MINUTE_US = 60_000_000;
const parse = (s: string): number => (Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))) * MINUTE_US;

/**
 * Entries only inside the configured window(s), start included and end excluded, in the exchange's zone with DST
 * from luxon (card RISK-08: never a fixed UTC offset, docs/conformance-cards.md#risk-08). Observed/threshold are µs since local midnight.
 */
export class SessionWindowPolicy implements RiskPolicy {
  readonly id = 'session-window';
  private readonly windows: readonly (readonly [number, number])[];

  constructor(private readonly params: Readonly<SessionWindowParams>) {
    const list: (readonly [number, number])[] = [[parse(params.start), parse(params.end)]];
    if (params.second !== undefined) list.push([parse(params.second.start), parse(params.second.end)]);
    this.windows = list;
  }

  /** µs since local midnight of `now`'s local day. */
  private timeOfDay(now: number): number {
    const ms = Math.floor(now / 1000);
    const local = DateTime.fromMillis(ms, { zone: this.params.timeZone });
    const midnight = local.startOf('day').toMillis() * 1000;
    return now - midnight;
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const t = this.timeOfDay(ctx.now);
    for (const [start, end] of this.windows) if (t >= start && t < end) return ALLOW;
    const first = this.windows[0]!;
    return reject(
      reason(
        'RISK.OUTSIDE_WINDOW',
        'session-window.start-end',
        t,
        t < first[0] ? first[0] : first[1],
        `outside ${this.describe()} ${this.params.timeZone}`,
      ),
    );
  }

  private describe(): string {
    const p = this.params;
    return p.second === undefined ? `${p.start}–${p.end}` : `${p.start}–${p.end} and ${p.second.start}–${p.second.end}`;
  }
}
