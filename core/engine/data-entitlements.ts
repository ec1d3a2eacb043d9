import type { Disposer } from '../../ports/create-token.js';
import type { FeedEvents } from '../../ports/market-data-feed.js';
import type { RiskReason } from '../../ports/risk-policy.js';

type Verdict = FeedEvents['feed.entitlement'];
type Passed = FeedEvents['feed.entitlement-ok'];

/**
 * The feed's startup data checks as the kernel keeps them (docs/tws-account-and-reconciliation.md): the latest
 * verdict per (symbol, stream). A failed one blocks entries in its symbol — '*' in every symbol — naming the feed
 * and the symbol, until the feed reports the line flowing. The verdicts are journaled by the feed wiring
 * (`feed.entitlement`, `feed.entitlement-ok`); feeds without such checks (replay, simulated) report none and block nothing.
 */
export class DataEntitlements {
  private readonly failed = new Map<string, Verdict>();

  /** `on`: the kernel bus's subscribe, for the failed/warning verdicts and for the passed ones. */
  attach(on: (failed: (v: Verdict) => void, passed: (v: Passed) => void) => Disposer): Disposer {
    return on(
      (v) => this.record(v),
      (v) => this.passed(v),
    );
  }

  record(v: Verdict): void {
    if (v.verdict === 'failed') this.failed.set(`${v.symbol}:${v.stream}`, v);
  }

  passed(v: Passed): void {
    this.failed.delete(`${v.symbol}:${v.stream}`);
  }

  /** Why an entry in `symbol` must wait, or null. */
  entryBlock(symbol: string): RiskReason | null {
    if (this.failed.size === 0) return null;
    const hits: Verdict[] = [];
    for (const v of this.failed.values()) if (v.symbol === symbol || v.symbol === '*') hits.push(v);
    if (hits.length === 0) return null;
    return {
      code: 'RISK.DATA_PREREQUISITES',
      limit: 'start-check.entitlements',
      observed: hits.length,
      threshold: 0,
      message: hits.map((v) => `${v.stream} ${v.symbol}: ${v.reason}`).join('; '),
    };
  }
}
