import type { OrderIntent, RiskContext, RiskDecision, RiskReason } from '../../ports/risk-policy.js';
import type { JournalWriter } from '../engine/journal-writer.js';
import type { RiskGateLike } from '../engine/order-manager-deps.js';

/** One reason an entry must wait (account truth, data entitlements), or null. */
export type EntryBlock = (intent: OrderIntent) => RiskReason | null;

/**
 * Account truth in front of the trading gate (docs/tws-account-and-reconciliation.md): while the broker's account
 * figures are missing, the ledger disagrees with the broker, or the symbol's data check failed, entries are denied
 * with those reasons (exits always pass). A changed set of reasons is journaled once (`account-truth.blocked`,
 * `account-truth.cleared`), not per intent. Halted or safe-mode sessions answer with their own state first.
 */
export function withEntryBlocks(inner: RiskGateLike, blocks: readonly EntryBlock[], journal: JournalWriter): RiskGateLike {
  let last = '';
  return {
    get state() {
      return inner.state;
    },
    evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
      if (intent.kind === 'entry' && inner.state === 'RUNNING') {
        const reasons: RiskReason[] = [];
        for (const block of blocks) {
          const r = block(intent);
          if (r !== null) reasons.push(r);
        }
        const key = reasons.map((r) => `${r.code}:${r.message ?? ''}`).join('|');
        if (key !== last) {
          journal.write(
            'risk',
            reasons.length > 0 ? 'account-truth.blocked' : 'account-truth.cleared',
            { reasons },
            { symbol: intent.symbol },
          );
          last = key;
        }
        if (reasons.length > 0) {
          // The trading gate's own reasons (mode, whitelist, start gates, the chain) come first: an operator fixing
          // the account wait must still see that the entry would also be refused for them.
          const d = inner.evaluate(intent, ctx);
          return d.action === 'allow' ? { action: 'reject', reasons, warnings: d.warnings } : { ...d, reasons: [...d.reasons, ...reasons] };
        }
      }
      return inner.evaluate(intent, ctx);
    },
    monitor(ctx: RiskContext): void {
      inner.monitor(ctx);
    },
  };
}
