import type { RiskContext, RiskReason as Reason, TradingState } from '../../ports/risk-policy.js';
import type { OperatorCommand, OperatorResult } from './operator-commands.js';
import type { Position } from '../domain/orders.js';
import type { JournalWriter } from '../engine/journal-writer.js';

/** The symbols entries are paused for ('*': all). The trading gate and the risk context read `view`. */
export class SymbolPauses {
  private readonly paused = new Set<string>();
  readonly view: ReadonlySet<string> = this.paused;
  pause(symbol: string): void {
    this.paused.add(symbol);
  }
  resume(symbol: string): void {
    this.paused.delete(symbol);
  }
}

/** What operator controls act on, each collaborator named; the controls never see the engine itself. */
export interface OperatorDeps {
  post(task: () => void): void;
  journal: Pick<JournalWriter, 'write'>;
  readonly gate: {
    readonly state: TradingState;
    /** Why the state is what it is (the last escalation's reason), or null while RUNNING. */
    readonly reason: Reason | null;
    halt(operatorId: string, note: string): void;
    clear(operatorId: string, note: string, ctx: RiskContext): { ok: true } | { ok: false; reasons: readonly Reason[] };
  };
  pauses: SymbolPauses;
  flattenAll(reason: string): void;
  riskContext(): RiskContext;
  positions(): readonly Position[];
}

export type { OperatorCommand, OperatorResult } from './operator-commands.js';

/**
 * Operator actions applied through the kernel's loop, each journaled with who and why. Leaving HALT takes an
 * explicit `clear`, which the risk gate refuses while a trigger still holds; nothing here runs on a timer.
 */
export class OperatorControls {
  constructor(private readonly d: OperatorDeps) {}

  /** Resolves once the command has been carried out on the loop (after the input being handled, if any). */
  apply(cmd: OperatorCommand): Promise<OperatorResult> {
    return new Promise((resolve) => this.d.post(() => resolve(this.applyNow(cmd))));
  }

  private applyNow(cmd: OperatorCommand): OperatorResult {
    const { d } = this;
    let result: OperatorResult = { ok: true, state: d.gate.state };
    {
      d.journal.write('risk', `operator.${cmd.command}`, { ...cmd });
      switch (cmd.command) {
        case 'pause':
          d.pauses.pause('*');
          break;
        case 'resume':
          d.pauses.resume('*');
          break;
        case 'pause-symbol':
          d.pauses.pause(cmd.symbol);
          break;
        case 'resume-symbol':
          d.pauses.resume(cmd.symbol);
          break;
        // A flatten also pauses entries: otherwise the strategy re-enters at its next signal, seconds later.
        case 'flatten':
          d.pauses.pause('*');
          d.flattenAll(`operator ${cmd.operatorId}: ${cmd.note ?? ''}`);
          break;
        case 'halt':
          d.gate.halt(cmd.operatorId, cmd.note ?? '');
          break;
        case 'clear': {
          const r = d.gate.clear(cmd.operatorId, cmd.note ?? '', d.riskContext());
          if (!r.ok) result = { ok: false, state: d.gate.state, reasons: r.reasons };
          break;
        }
        case 'status':
          break;
      }
      if (result.ok) {
        result = {
          ok: true,
          state: d.gate.state,
          detail: {
            paused: [...d.pauses.view],
            positions: d.positions(),
            ...(d.gate.reason === null ? {} : { why: d.gate.reason }),
            ...(cmd.command === 'flatten' ? { note: 'entries are paused too; `harvester control resume` when ready' } : {}),
          },
        };
      }
    }
    return result;
  }
}
