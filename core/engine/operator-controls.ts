import type { RiskContext, RiskReason as Reason, TradingState } from '../../ports/risk-policy.js';
import type { OperatorCommand, OperatorResult } from '../risk/operator-commands.js';
import type { KernelParts } from './kernel-parts.js';
import type { JournalWriter } from './journal-writer.js';

/** What operator controls act on (the session engine satisfies it). */
export interface OperatorTarget {
  readonly gate: {
    readonly state: TradingState;
    /** Why the state is what it is (the last escalation's reason), or null while RUNNING. */
    readonly reason: Reason | null;
    halt(operatorId: string, note: string): void;
    clear(operatorId: string, note: string, ctx: RiskContext): { ok: true } | { ok: false; reasons: readonly Reason[] };
  };
  readonly parts: KernelParts;
  readonly journalWriter: JournalWriter;
  readonly pausedSymbols: Set<string>;
  readonly orders: { flattenAll(reason: string): unknown };
  readonly riskContext: RiskContext;
}

export type { OperatorCommand, OperatorResult } from '../risk/operator-commands.js';

/**
 * Operator actions applied through the kernel's loop, each journaled with who and why. Leaving HALT takes an
 * explicit `clear`, which the risk gate refuses while a trigger still holds; nothing here runs on a timer.
 */
export class OperatorControls {
  constructor(private readonly engine: OperatorTarget) {}

  /** Resolves once the command has been carried out on the loop (after the input being handled, if any). */
  apply(cmd: OperatorCommand): Promise<OperatorResult> {
    return new Promise((resolve) => this.engine.parts.loop.post(() => resolve(this.applyNow(cmd))));
  }

  private applyNow(cmd: OperatorCommand): OperatorResult {
    const { engine } = this;
    let result: OperatorResult = { ok: true, state: engine.gate.state };
    {
      engine.journalWriter.write('risk', `operator.${cmd.command}`, { ...cmd });
      switch (cmd.command) {
        case 'pause': engine.pausedSymbols.add('*'); break;
        case 'resume': engine.pausedSymbols.delete('*'); break;
        case 'pause-symbol': engine.pausedSymbols.add(cmd.symbol); break;
        case 'resume-symbol': engine.pausedSymbols.delete(cmd.symbol); break;
        // A flatten also pauses entries: otherwise the strategy re-enters at its next signal, seconds later.
        case 'flatten': engine.pausedSymbols.add('*'); engine.orders.flattenAll(`operator ${cmd.operatorId}: ${cmd.note ?? ''}`); break;
        case 'halt': engine.gate.halt(cmd.operatorId, cmd.note ?? ''); break;
        case 'clear': {
          const r = engine.gate.clear(cmd.operatorId, cmd.note ?? '', engine.riskContext);
          if (!r.ok) result = { ok: false, state: engine.gate.state, reasons: r.reasons };
          break;
        }
        case 'status': break;
      }
      if (result.ok) {
        result = {
          ok: true, state: engine.gate.state,
          detail: {
            paused: [...engine.pausedSymbols], positions: engine.parts.ledger.positions(),
            ...(engine.gate.reason === null ? {} : { why: engine.gate.reason }),
            ...(cmd.command === 'flatten' ? { note: 'entries are paused too; `harvester control resume` when ready' } : {}),
          },
        };
      }
    }
    return result;
  }
}
