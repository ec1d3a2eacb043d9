import type { Disposer } from '../../ports/create-token.js';
import type {
  BreachAction,
  OrderIntent,
  RiskAction,
  RiskContext,
  RiskDecision,
  RiskPolicy,
  RiskReason,
  TradingState,
} from '../../ports/risk-policy.js';
import { ALLOW } from '../../ports/risk-policy.js';

/** One configured link of the chain: the policy and what a breach of it does. */
export interface RiskChainEntry {
  pluginId: string;
  policy: RiskPolicy;
  action: BreachAction;
}

export interface RiskStateChange {
  from: TradingState;
  to: TradingState;
  reason: RiskReason;
  /** 'auto' for triggers and policies, otherwise the operator id. */
  by: string;
}

/**
 * What the kernel learns from the gate. Hooks must not throw; if one does, the gate swallows it so that a faulty
 * journal can never turn a denial into an exception on the order path.
 */
export interface RiskGateHooks {
  stateChanged(e: RiskStateChange): void;
  denied?(e: { intentId: string; action: RiskAction; reasons: readonly RiskReason[] }): void;
  clearRefused?(e: { reasons: readonly RiskReason[] }): void;
  /** A policy configured with action 'warn' breached (at evaluation or while monitoring). */
  warned?(e: { pluginId: string; reasons: readonly RiskReason[] }): void;
  /**
   * A policy threw or returned garbage (the kernel publishes `plugin.error{pluginId}`, card RISK-15; docs/conformance-cards.md#risk-15).
   */
  policyFailed?(e: { pluginId: string; reason: RiskReason }): void;
}

/**
 * A condition that, while it returns reasons, keeps the gate from being cleared (e.g. the feed is still stale).
 * Registered by the automatic triggers; evaluated only on `clear`.
 */
export type HoldCondition = () => readonly RiskReason[];

export interface RiskGateOptions {
  /**
   * What a throwing or malformed policy does (card RISK-15, docs/conformance-cards.md#risk-15): 'halt' (default: fail closed and stop) or
   * 'reject' (deny this intent with RISK.POLICY_ERROR and go on). Either way the decision is never an allow.
   */
  onPolicyError?: 'halt' | 'reject';
}

const RANK: Readonly<Record<TradingState, number>> = { RUNNING: 0, SAFE_MODE: 1, HALT: 2 };

const HALTED_REASON: readonly RiskReason[] = Object.freeze([
  Object.freeze({
    code: 'RISK.HALTED',
    limit: 'gate.state',
    observed: 2,
    threshold: 2,
    message: 'trading is halted; an operator must clear it',
  }),
]);
const SAFE_MODE_REASON: readonly RiskReason[] = Object.freeze([
  Object.freeze({ code: 'RISK.SAFE_MODE', limit: 'gate.state', observed: 1, threshold: 1, message: 'safe mode allows exits only' }),
]);

function policyError(pluginId: string, where: string, err: unknown): RiskReason {
  const detail = err instanceof Error ? err.message : String(err);
  return {
    code: 'RISK.POLICY_ERROR',
    limit: `${pluginId}.${where}`,
    observed: 1,
    threshold: 0,
    message: `policy '${pluginId}' ${where} failed: ${detail}`,
  };
}

/** True when the intent is an exit that only shrinks the current position (never flips or opens one). */
function reduces(intent: OrderIntent, ctx: RiskContext): boolean {
  if (intent.kind !== 'exit') return false;
  const held = ctx.position(intent.symbol)?.quantity ?? 0;
  const q = intent.quantity;
  return intent.side === 'sell' ? held > 0 && q <= held : held < 0 && q <= -held;
}

function isDecision(d: unknown): d is RiskDecision {
  if (typeof d !== 'object' || d === null) return false;
  const a = (d as RiskDecision).action;
  return (a === 'allow' || a === 'reject' || a === 'halt') && Array.isArray((d as RiskDecision).reasons);
}

/**
 * The single door every order passes (seed 001: no order bypasses risk) and the automatic kill switch.
 *
 * Invariants:
 * - `evaluate` never throws and never mutates its inputs; a throwing policy becomes RISK.POLICY_ERROR and HALT.
 * - HALT allows nothing; SAFE_MODE allows exits only; every denial carries at least one reason.
 * - Automatic transitions only escalate (RUNNING → SAFE_MODE → HALT). Only `clear`, an operator action, lowers the
 *   state, and only when no monitored trigger or hold condition still holds. Nothing here runs on a timer.
 * - For a given state, the same intent and context give a deep-equal decision.
 */
export class RiskGate {
  private current: TradingState = 'RUNNING';
  private why: RiskReason | null = null;
  private readonly holds = new Set<HoldCondition>();

  private readonly haltOnPolicyError: boolean;

  constructor(
    private readonly chain: readonly RiskChainEntry[],
    private readonly hooks: RiskGateHooks,
    options: RiskGateOptions = {},
  ) {
    this.haltOnPolicyError = (options.onPolicyError ?? 'halt') === 'halt';
  }

  get state(): TradingState {
    return this.current;
  }

  /** The reason of the escalation that set the current state (null while RUNNING): what `control status` shows. */
  get reason(): RiskReason | null {
    return this.why;
  }

  /** Policies in chain order (for describing and journaling). */
  get entries(): readonly RiskChainEntry[] {
    return this.chain;
  }

  /** Register a condition that blocks `clear` while it holds; returns its disposer. */
  addHoldCondition(condition: HoldCondition): Disposer {
    this.holds.add(condition);
    return () => {
      this.holds.delete(condition);
    };
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    try {
      return this.evaluateUnsafe(intent, ctx);
    } catch (err) {
      // Only reachable through a hostile intent/context (a throwing getter); fail closed.
      const reason = policyError('gate', 'evaluate', err);
      this.escalate('HALT', reason, 'auto');
      return this.deny(intent, 'halt', [reason], []);
    }
  }

  private evaluateUnsafe(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    // Card RISK-02/13 (docs/conformance-cards.md#risk-02): in HALT every intent, exits included, is answered with action 'halt'.
    if (this.current === 'HALT') return this.deny(intent, 'halt', HALTED_REASON, []);
    // SAFE_MODE lets only true reductions through (card RISK-12, docs/conformance-cards.md#risk-12): an "exit" larger than the position
    // would open one.
    if (this.current === 'SAFE_MODE' && !reduces(intent, ctx)) return this.deny(intent, 'reject', SAFE_MODE_REASON, []);

    if (!Number.isSafeInteger(intent.quantity) || intent.quantity <= 0) {
      return this.deny(
        intent,
        'reject',
        [{ code: 'ORDER.INVALID_QUANTITY', limit: 'gate.quantity', observed: Number(intent.quantity) || 0, threshold: 1 }],
        [],
      );
    }
    let reasons: RiskReason[] | null = null;
    let warnings: RiskReason[] | null = null;
    let halt: RiskReason | null = null;
    let maxQty: number | undefined;

    // Every policy runs even after a denial, so the journal shows all the limits an intent broke.
    for (const entry of this.chain) {
      let d: unknown;
      let thrown: unknown = null;
      try {
        d = entry.policy.evaluate(intent, ctx);
      } catch (err) {
        thrown = err ?? new Error('threw');
      }
      if (thrown !== null || !isDecision(d)) {
        const r = policyError(entry.pluginId, 'evaluate', thrown ?? new Error('returned a malformed decision'));
        this.safeHook(() => this.hooks.policyFailed?.({ pluginId: entry.pluginId, reason: r }));
        (reasons ??= []).push(r);
        if (this.haltOnPolicyError) halt ??= r;
        continue;
      }
      if (Array.isArray(d.warnings) && d.warnings.length > 0) (warnings ??= []).push(...d.warnings);
      if (d.action === 'allow') {
        if (d.maxQty !== undefined && (maxQty === undefined || d.maxQty < maxQty)) maxQty = d.maxQty;
        continue;
      }
      const breach: readonly RiskReason[] =
        d.reasons.length > 0
          ? d.reasons
          : [{ code: 'RISK.POLICY_ERROR', limit: entry.pluginId, observed: 0, threshold: 0, message: 'denied without a reason' }];
      // The configured action decides what a breach does; the policy only says that it breached.
      if (entry.action === 'warn') {
        (warnings ??= []).push(...breach);
        this.safeHook(() => this.hooks.warned?.({ pluginId: entry.pluginId, reasons: breach }));
        continue;
      }
      (reasons ??= []).push(...breach);
      if (entry.action === 'halt') halt ??= breach[0]!;
    }

    if (halt !== null) {
      this.escalate('HALT', halt, 'auto');
      return this.deny(intent, 'halt', reasons ?? [halt], warnings ?? []);
    }
    if (reasons !== null) return this.deny(intent, 'reject', reasons, warnings ?? []);
    if (warnings === null && maxQty === undefined) return ALLOW;
    const decision: RiskDecision = { action: 'allow', reasons: [], warnings: warnings ?? [] };
    if (maxQty !== undefined) decision.maxQty = maxQty;
    return decision;
  }

  private deny(intent: OrderIntent, action: RiskAction, reasons: readonly RiskReason[], warnings: readonly RiskReason[]): RiskDecision {
    const intentId = typeof intent?.intentId === 'string' ? intent.intentId : '';
    this.safeHook(() => this.hooks.denied?.({ intentId, action, reasons }));
    return { action, reasons, warnings };
  }

  /** Runtime monitoring (after fills, trade closes, timer ticks): escalates on any monitored breach. */
  monitor(ctx: RiskContext): void {
    for (const entry of this.chain) {
      const found = this.monitorOne(entry, ctx);
      if (found === null) continue;
      if (found.reason.code === 'RISK.POLICY_ERROR' && !this.haltOnPolicyError) continue;
      if (entry.action === 'warn' && found.reason.code !== 'RISK.POLICY_ERROR') {
        this.safeHook(() => this.hooks.warned?.({ pluginId: entry.pluginId, reasons: [found.reason] }));
        continue;
      }
      this.escalate(entry.action === 'halt' ? 'HALT' : found.to, found.reason, 'auto');
    }
  }

  private monitorOne(entry: RiskChainEntry, ctx: RiskContext): { to: TradingState; reason: RiskReason } | null {
    if (entry.policy.monitor === undefined) return null;
    try {
      const r = entry.policy.monitor(ctx);
      if (r === null || r === undefined) return null;
      if (RANK[r.to] === undefined || typeof r.reason?.code !== 'string') {
        return { to: 'HALT', reason: policyError(entry.pluginId, 'monitor', new Error('returned a malformed result')) };
      }
      return r;
    } catch (err) {
      const reason = policyError(entry.pluginId, 'monitor', err);
      this.safeHook(() => this.hooks.policyFailed?.({ pluginId: entry.pluginId, reason }));
      return { to: 'HALT', reason };
    }
  }

  /** Raise the state; never lowers it. Returns true when the state changed. */
  escalate(to: TradingState, reason: RiskReason, by: string): boolean {
    const rank = RANK[to];
    if (rank === undefined || rank <= RANK[this.current]) return false;
    const from = this.current;
    this.current = to;
    this.why = reason;
    this.safeHook(() => this.hooks.stateChanged({ from, to, reason, by }));
    return true;
  }

  /** Operator halt: always to HALT (no-op when already halted). */
  halt(operatorId: string, note: string): void {
    this.escalate('HALT', { code: 'RISK.HALTED', limit: 'operator.halt', observed: 1, threshold: 0, message: note }, operatorId);
  }

  /**
   * Operator clear back to RUNNING. Refused while any monitored trigger (policy monitors re-run on `ctx`) or hold
   * condition still holds; a warn-only monitor does not block.
   */
  clear(operatorId: string, note: string, ctx: RiskContext): { ok: true } | { ok: false; reasons: readonly RiskReason[] } {
    if (this.current === 'RUNNING') return { ok: true };
    const reasons: RiskReason[] = [];
    for (const entry of this.chain) {
      const found = this.monitorOne(entry, ctx);
      if (found !== null && (entry.action !== 'warn' || found.reason.code === 'RISK.POLICY_ERROR')) reasons.push(found.reason);
    }
    for (const hold of this.holds) {
      try {
        reasons.push(...hold());
      } catch (err) {
        reasons.push(policyError('hold', 'condition', err));
      }
    }
    if (reasons.length > 0) {
      this.safeHook(() => this.hooks.clearRefused?.({ reasons }));
      return { ok: false, reasons };
    }
    const from = this.current;
    this.current = 'RUNNING';
    this.why = null;
    const code = from === 'HALT' ? 'RISK.HALTED' : 'RISK.SAFE_MODE';
    this.safeHook(() =>
      this.hooks.stateChanged({
        from,
        to: 'RUNNING',
        reason: { code, limit: 'operator.clear', observed: 0, threshold: 0, message: note },
        by: operatorId,
      }),
    );
    return { ok: true };
  }

  private safeHook(call: () => void): void {
    try {
      call();
    } catch {
      // A hook failure must not change a decision; the kernel's own journal records its errors.
    }
  }
}
