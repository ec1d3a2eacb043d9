import type { StreamKind } from '../../../core/domain/market.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';
import type { Clock, TimerHandle } from '../../../ports/clock.js';
import type { FeedEvents } from '../../../ports/market-data-feed.js';

type Verdict = FeedEvents['feed.entitlement'];
type Passed = FeedEvents['feed.entitlement-ok'];

/** What the account allows, and how long a new line may stay silent before it counts as not flowing. */
export interface EntitlementOptions {
  /** Deadline for the first data of a line after its first request; 0 turns the deadline off. */
  deadlineMs: number;
  /** Market-data lines the account allows (IB's default allowance is 100, TWS windows included). */
  accountLines: number;
  /** Depth subscriptions the account allows (IB's default is 3). */
  accountDepth: number;
}

export const DEFAULT_ENTITLEMENTS: EntitlementOptions = { deadlineMs: 15_000, accountLines: 100, accountDepth: 3 };

/**
 * IB codes that mean "this account does not get this data" (docs/tws-account-and-reconciliation.md): the check fails
 * and stays failed. 10167 is listed although data flows: it is delayed data, which must not drive live signals.
 */
const REFUSED: Readonly<Record<number, string>> = {
  354: 'not subscribed',
  10089: 'needs an additional API subscription',
  10092: 'depth not available for this security/exchange',
  10167: 'delayed data only (no real-time subscription)',
  10168: 'not subscribed and delayed data not enabled',
  10186: 'not subscribed and delayed data not enabled',
  101: 'the account allows fewer market-data lines than configured',
  309: 'the account allows fewer depth subscriptions than configured',
};

/** Partial entitlements: the line stays and is journaled; the deadline still fails it if nothing flows. */
const PARTIAL: Readonly<Record<number, string>> = {
  10090: 'part of the requested data is not subscribed',
  2152: 'depth from some exchanges only (others top of book)',
};

interface Line {
  symbol: string;
  stream: StreamKind;
  state: 'pending' | 'ok' | 'failed';
  sticky: boolean;
  timer: TimerHandle | null;
}

const FEED_NAME: Readonly<Record<StreamKind, string>> = { quote: 'L1 quotes', depth: 'depth (L2)', tape: 'tape (tick-by-tick)' };

/**
 * The startup data check of the TWS feed: every line must deliver data within the deadline of its first request, and
 * an entitlement refusal fails its line at once, naming the feed and the symbol. The configured budgets are checked
 * against what the account allows when the feed connects. Each verdict is one `feed.entitlement` (failed, warning)
 * or `feed.entitlement-ok` event; the kernel
 * journals it and blocks entries in a failed symbol (core/engine/data-entitlements.ts). Timers on the injected Clock.
 */
export class TwsEntitlementWatch {
  private readonly lines = new Map<string, Line>();
  private budgetsChecked = false;

  constructor(
    private readonly clock: Clock,
    private readonly o: EntitlementOptions,
    private readonly emit: (v: Verdict) => void,
    private readonly passed: (v: Passed) => void,
  ) {}

  /** The configured budgets against the account's allowance; once per feed. */
  checkBudgets(configured: { lines: number; depth: number }): void {
    if (this.budgetsChecked) return;
    this.budgetsChecked = true;
    if (configured.lines > this.o.accountLines) {
      this.emit({
        symbol: '*',
        stream: 'quote',
        verdict: 'failed',
        code: 'FEED.LINE_BUDGET_EXCEEDED',
        ibCode: null,
        reason: `lineBudget ${configured.lines} exceeds the ${this.o.accountLines} market-data lines the account allows (accountLines)`,
      });
    }
    if (configured.depth > this.o.accountDepth) {
      this.emit({
        symbol: '*',
        stream: 'depth',
        verdict: 'failed',
        code: 'FEED.LINE_BUDGET_EXCEEDED',
        ibCode: null,
        reason: `depthBudget ${configured.depth} exceeds the ${this.o.accountDepth} depth subscriptions the account allows (accountDepth)`,
      });
    }
  }

  /** A line's request went out; only its first request starts the deadline. */
  requested(symbol: string, stream: StreamKind): void {
    const key = `${symbol}:${stream}`;
    if (this.lines.has(key)) return;
    const line: Line = { symbol, stream, state: 'pending', sticky: false, timer: null };
    this.lines.set(key, line);
    if (this.o.deadlineMs > 0) {
      line.timer = this.clock.setTimeout(
        this.o.deadlineMs * 1_000,
        () => {
          line.timer = null;
          if (line.state === 'pending')
            this.fail(line, 'FEED.NOT_ENTITLED', null, `no ${FEED_NAME[stream]} data for ${symbol} within ${this.o.deadlineMs} ms`);
        },
        `tws entitlement ${key}`,
      );
    }
  }

  /** Data arrived on a line. Cheap when already verified (the hot path calls it). */
  data(symbol: string, stream: StreamKind): void {
    const line = this.lines.get(`${symbol}:${stream}`);
    if (line === undefined || line.state === 'ok' || line.sticky) return;
    this.stopTimer(line);
    line.state = 'ok';
    this.passed({ symbol, stream, reason: `${FEED_NAME[stream]} flowing for ${symbol}` });
  }

  /** The subscription was refused before any request (over the configured budget). */
  refusedLocally(symbol: string, stream: StreamKind, budget: number): void {
    const line: Line = { symbol, stream, state: 'pending', sticky: true, timer: null };
    this.lines.set(`${symbol}:${stream}`, line);
    this.fail(
      line,
      'FEED.LINE_BUDGET_EXCEEDED',
      null,
      `${FEED_NAME[stream]} for ${symbol} refused: the config needs more than ` +
        `the ${stream === 'depth' ? 'depthBudget' : 'lineBudget'} of ${budget}`,
    );
  }

  /** An IB code on a line's request. */
  code(symbol: string, stream: StreamKind, code: number, message: string): void {
    const line = this.lines.get(`${symbol}:${stream}`);
    if (line === undefined) return;
    const refused = REFUSED[code];
    if (refused !== undefined) {
      line.sticky = true;
      this.fail(
        line,
        code === 101 || code === 309 ? 'FEED.LINE_BUDGET_EXCEEDED' : 'FEED.NOT_ENTITLED',
        code,
        `${FEED_NAME[stream]} for ${symbol}: IB ${code} ${refused} (${message})`,
      );
      return;
    }
    const partial = PARTIAL[code];
    if (partial !== undefined)
      this.emit({
        symbol,
        stream,
        verdict: 'warning',
        code: 'FEED.NOT_ENTITLED',
        ibCode: code,
        reason: `${FEED_NAME[stream]} for ${symbol}: IB ${code} ${partial} (${message})`,
      });
  }

  /** A code without a request id (2152 arrives so): a warning for every depth line. */
  systemCode(code: number, message: string): void {
    const partial = PARTIAL[code];
    if (partial === undefined) return;
    for (const line of this.lines.values()) {
      if (line.stream === 'depth')
        this.emit({
          symbol: line.symbol,
          stream: 'depth',
          verdict: 'warning',
          code: 'FEED.NOT_ENTITLED',
          ibCode: code,
          reason: `depth (L2) for ${line.symbol}: IB ${code} ${partial} (${message})`,
        });
    }
  }

  dispose(): void {
    for (const line of this.lines.values()) this.stopTimer(line);
  }

  private fail(line: Line, code: ErrorCode, ibCode: number | null, reason: string): void {
    this.stopTimer(line);
    if (line.state === 'failed') return;
    line.state = 'failed';
    this.emit({ symbol: line.symbol, stream: line.stream, verdict: 'failed', code, ibCode, reason });
  }

  private stopTimer(line: Line): void {
    if (line.timer !== null) this.clock.cancelTimer(line.timer);
    line.timer = null;
  }
}
