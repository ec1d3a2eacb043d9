import type { ErrorCode } from '../../../core/errors/error-codes.js';
import type { Micros } from '../../../core/domain/units.js';
import type { ConnectionState } from '../../../ports/broker-adapter.js';
import { ruleFor } from './error-table.js';
import type { Emit } from '../orders/order-flow.js';

/**
 * Turns IB codes that no order consumed into `broker.error` events, following the error table. Repeated warnings
 * of one code fold into one event per throttle window (10197 comes in bursts of 10–20; 1100 repeats through a
 * nightly reset), and the next event says how many were folded. Errors and fatals are never folded: a fatal
 * `broker.error` is what the kernel's auto-triggers turn into a HALT (core/risk/auto-triggers.ts, onBrokerError).
 */
export class TwsErrorPolicy {
  private readonly last = new Map<number, { at: Micros; suppressed: number }>();

  constructor(
    private readonly emit: Emit,
    private readonly now: () => Micros,
  ) {}

  invalidatesOrder(code: number): boolean {
    return ruleFor(code).action === 'invalidate-order';
  }

  harvesterCode(code: number): ErrorCode {
    return ruleFor(code).harvesterCode;
  }

  /** Emits (or folds) the `broker.error` for a code; returns whether an event went out. */
  report(code: number, reqId: number, message: string, state: ConnectionState): boolean {
    const rule = ruleFor(code);
    if (rule.action === 'ignore') return false;
    let text = reqId >= 0 ? `${message} (id ${reqId})` : message;
    if (rule.throttleMs > 0 && (rule.severity === 'warn' || rule.severity === 'info')) {
      const now = this.now();
      const seen = this.last.get(code);
      if (seen !== undefined && now - seen.at < rule.throttleMs * 1_000) {
        seen.suppressed++;
        return false;
      }
      if (seen !== undefined && seen.suppressed > 0) text += ` (${seen.suppressed} repeats folded)`;
      this.last.set(code, { at: now, suppressed: 0 });
    }
    this.emit('broker.error', {
      code,
      harvesterCode: rule.harvesterCode,
      message: `${text} [${state}]`,
      severity: rule.severity,
      at: this.now(),
    });
    return true;
  }
}
