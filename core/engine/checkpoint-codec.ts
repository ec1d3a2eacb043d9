import { createHash, scryptSync } from 'node:crypto';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';
import type { LedgerSnapshot } from './ledger.js';
import type { TrackerSnapshot } from './trade-tracker.js';
import { canonicalJson } from '../domain/canonical-json.js';

/** Bumped whenever the body's shape changes; a checkpoint of another version is quarantined, never guessed at. */
export const CHECKPOINT_SCHEMA_VERSION = 1;

/** A working order the restarted process must recognise when the broker reports it again (bracket legs above all). */
export interface CheckpointOrder {
  coid: string;
  intentId: string;
  strategyId: string;
  symbol: string;
  tradeId: string | null;
  role: 'entry' | 'stop-loss' | 'take-profit' | 'exit' | 'flatten';
  side: 'buy' | 'sell';
  quantity: number;
  filled: number;
}

/**
 * The runtime state that must outlive the process (roadmap HV-008): kill switch, the day's risk counters (through
 * the ledger and the trade tracker, which the risk policies read), open trades with their working orders, the
 * id counters (client order ids are never reused for a trading day and account) and the memory version in use.
 */
export interface CheckpointBody {
  schemaVersion: number;
  /** Which restarts may load it: the same trading day, mode and account (the account as a key, never the id). */
  tradingDay: string;
  mode: string;
  accountKey: string;
  sessionId: string;
  /** Checkpoint number within its session, from 1. */
  seq: number;
  killSwitch: { state: TradingState; reason: RiskReason | null; since: string | null };
  ledger: LedgerSnapshot;
  tracker: TrackerSnapshot;
  counters: { intents: number; trades: number; ordersSent: number };
  workingOrders: CheckpointOrder[];
  memoryVersion: number | null;
}

export type CheckpointData = CheckpointBody & { sha256: string };

/** The text the checksum covers: canonical JSON, independent of key order in storage. */
export const canonicalText = canonicalJson;

export function sealCheckpoint(body: CheckpointBody): CheckpointData {
  return { ...body, sha256: createHash('sha256').update(canonicalText(body)).digest('hex') };
}

export type CheckpointVerdict = { ok: true; body: CheckpointBody } | { ok: false; reason: string };

/** Checks version, checksum and shape; anything else is corrupt and must be quarantined. */
export function openCheckpoint(data: Readonly<Record<string, unknown>>): CheckpointVerdict {
  const { sha256, ...body } = data as Record<string, unknown>;
  if (typeof sha256 !== 'string') return { ok: false, reason: 'no sha256' };
  if (body.schemaVersion !== CHECKPOINT_SCHEMA_VERSION)
    return { ok: false, reason: `schema version ${String(body.schemaVersion)} (expected ${CHECKPOINT_SCHEMA_VERSION})` };
  const actual = createHash('sha256').update(canonicalText(body)).digest('hex');
  if (actual !== sha256) return { ok: false, reason: `sha256 mismatch (stored ${sha256.slice(0, 12)}…, computed ${actual.slice(0, 12)}…)` };
  const b = body as unknown as CheckpointBody;
  const shaped =
    typeof b.tradingDay === 'string' &&
    typeof b.mode === 'string' &&
    typeof b.accountKey === 'string' &&
    typeof b.killSwitch === 'object' &&
    b.killSwitch !== null &&
    typeof b.ledger === 'object' &&
    typeof b.tracker === 'object' &&
    typeof b.counters === 'object' &&
    Array.isArray(b.workingOrders);
  return shaped ? { ok: true, body: b } : { ok: false, reason: 'malformed body' };
}

/**
 * Which restarts share state: a key derived from the account with scrypt (deliberately slow), so the journal never
 * holds the account id and a stolen database does not give it back cheaply.
 */
export function accountKey(accountId: string | null): string {
  if (accountId === null || accountId === '') return 'none';
  return scryptSync(accountId, 'harvester.account-key.v1', 12, { N: 1 << 14 }).toString('hex');
}

/** `<strategy>-i<n>` / `<strategy>-k<n>` → n (intents and flatten orders share one counter); `…-t<n>` trade ids. */
export function counterOf(id: string | undefined | null, letter: 'i' | 't'): number {
  if (id === undefined || id === null) return 0;
  const re = letter === 'i' ? /-[ik](\d+)(?:\.|$)/ : /-t(\d+)$/;
  const m = re.exec(id);
  return m === null ? 0 : Number(m[1]);
}
