import { expect } from 'chai';
import type { OrderSide } from '../../../core/domain/orders.js';
import type { Price } from '../../../core/domain/units.js';
import type { LinkProxy } from './link-proxy.js';
import type { ValidationTarget } from './target.js';
import { twoSidedQuote, until, type Venue, type VenueOptions } from './venue.js';

export interface ScenarioContext {
  readonly t: ValidationTarget;
  /** The suite's one connection (client id = the target's), connected and checked as paper before any scenario. */
  shared(): Venue;
  /**
   * A connection of its own (the next free client id), closed after the scenario. On the fake TWS it goes to a fake of
   * the scenario's own (the fake allocates order ids across client ids, where TWS keeps one sequence per client id);
   * `main` keeps it on the suite's TWS (to meet the shared connection's client id).
   */
  open(o?: Partial<VenueOptions> & { main?: boolean }): Promise<Venue>;
  /** A relay in front of the scenario's TWS (`late`: its port reserved but not yet listening); stopped after the scenario. */
  proxy(o?: { late?: boolean }): Promise<LinkProxy>;
  /** The port of the scenario's TWS (on the fake: its own fake TWS, started on first use). */
  port(): Promise<number>;
  /** Runs after the scenario, pass or fail (cleanup: cancel, flatten, restore a fault). */
  defer(fn: () => Promise<void> | void): void;
  /** What the scenario saw, for the result table. */
  note(text: string): void;
}

/** One seed-002 item: `id` is its seed number (C1…C4, M1…M4, O1…O4, R1…R4, E1…E17). */
export interface Scenario {
  id: string;
  title: string;
  /** The seed-002 test or case it stands for. */
  seed: string;
  /** Set when only the fake TWS can produce the condition; on a paper TWS the scenario is pending with this reason. */
  fakeOnly?: string;
  /**
   * Set while the Harvester feature the scenario checks does not exist; the scenario is pending with this reason
   * (HARVESTER_VALIDATION_RUN_PENDING=1 runs it anyway: it must fail, for that reason).
   */
  pending?: string;
  run(ctx: ScenarioContext): Promise<void>;
}

export const TICK: Price = 100; // $0.01 in Price units

/** A limit price that crosses the spread by 5 ticks (fills at once on a liquid symbol). */
export async function marketableLimit(v: Venue, symbol: string, side: OrderSide, waitMs: number): Promise<Price> {
  const q = await twoSidedQuote(v, symbol, waitMs);
  return side === 'buy' ? q.ask + 5 * TICK : Math.max(TICK, q.bid - 5 * TICK);
}

/** A buy limit at half the bid, on the tick grid: rests, never fills. */
export async function restingBuy(v: Venue, symbol: string, waitMs: number): Promise<Price> {
  const q = await twoSidedQuote(v, symbol, waitMs);
  return Math.max(TICK, Math.floor(q.bid / 2 / TICK) * TICK);
}

let coidSeq = 0;
/** A client order id unique within this process and across runs (the id journal keeps earlier ones). */
export function coid(tag: string): string {
  return `val-${tag}-${Date.now().toString(36)}-${++coidSeq}`;
}

export function positionOf(v: Venue, symbol: string): number {
  return v.broker.positions().find((p) => p.symbol === symbol)?.quantity ?? 0;
}

/** Buys (or sells) `qty` with a marketable limit and waits for the complete fill. */
export async function fillNow(v: Venue, symbol: string, side: OrderSide, qty: number, waitMs: number, tag: string): Promise<string> {
  const id = coid(tag);
  const limitPrice = await marketableLimit(v, symbol, side, waitMs);
  const r = v.broker.submit({
    coid: id,
    symbol,
    side,
    type: 'limit',
    limitPrice,
    quantity: qty,
    tif: 'day',
    orderRef: `hv:validation:${tag}`,
  });
  expect(r.status, `${tag}: ${JSON.stringify(r)}`).to.equal('sent');
  await until(
    () => v.of('order.filled').some((f) => f.coid === id && f.status === 'Filled') || v.of('order.rejected').some((x) => x.coid === id),
    waitMs,
    `${tag} to fill`,
  );
  const rej = v.of('order.rejected').find((x) => x.coid === id);
  if (rej) throw new Error(`${tag} rejected: ${rej.code} ${rej.reason}`);
  return id;
}

/** Brings `symbol` back to `qty` shares (what it held before the scenario). */
export async function restore(v: Venue, symbol: string, qty: number, waitMs: number): Promise<void> {
  if (!v.broker.health().canTrade) return;
  const diff = positionOf(v, symbol) - qty;
  if (diff === 0) return;
  await fillNow(v, symbol, diff > 0 ? 'sell' : 'buy', Math.abs(diff), waitMs, 'flatten');
}

/** Cancels every open order this venue placed and waits until none is open. */
export async function cancelAll(v: Venue, waitMs: number): Promise<void> {
  if (!v.broker.health().canTrade) return;
  for (const o of v.broker.openOrders()) v.broker.cancel(o.coid);
  await until(() => v.broker.openOrders().length === 0, waitMs, 'open orders to be cancelled');
}
