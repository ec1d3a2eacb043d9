import { expect } from 'chai';
import type { BracketRequest, OrderRequest, OrderSide, OrderType } from '../../../core/domain/orders.js';
import type { Price, Quantity } from '../../../core/domain/units.js';
import { SequenceMismatch } from '../card.js';
import { describe as describeEvent, type Recorded } from '../recorder.js';
import type { BrokerFaultDriver, BrokerRun } from './broker-types.js';

export function order(
  coid: string,
  side: OrderSide,
  type: OrderType,
  qty: Quantity,
  prices: { limit?: Price; trigger?: Price; symbol?: string; orderRef?: string } = {},
): OrderRequest {
  return {
    coid,
    symbol: prices.symbol ?? 'XYZ',
    side,
    type,
    quantity: qty,
    tif: 'day',
    orderRef: prices.orderRef ?? `HVK-${coid}`,
    ...(prices.limit !== undefined ? { limitPrice: prices.limit } : {}),
    ...(prices.trigger !== undefined ? { triggerPrice: prices.trigger } : {}),
  };
}

/**
 * The bracket B1 of the bracket cards (docs/conformance-kit.md#broker-brackets): parent LMT BUY 100 @ 123400; stop STP SELL 100 @ 122400; take-profit LMT SELL
 * 100 @ 125400.
 */
export function bracketB1(symbol: string): BracketRequest {
  return {
    bracketId: 'B1',
    parent: { ...order('B1-P', 'buy', 'limit', 100, { limit: 123400, symbol }), bracketId: 'B1' },
    stopLoss: { ...order('B1-S', 'sell', 'stop', 100, { trigger: 122400, symbol }), bracketId: 'B1', parentCoid: 'B1-P', ocaGroup: 'B1' },
    takeProfit: { ...order('B1-T', 'sell', 'limit', 100, { limit: 125400, symbol }), bracketId: 'B1', parentCoid: 'B1-P', ocaGroup: 'B1' },
  };
}

/** Submits and checks the synchronous receipt says `sent`; venue outcomes arrive as events. */
export function submitSent(r: BrokerRun, req: OrderRequest): void {
  const receipt = r.subject.submit({ ...req, symbol: req.symbol === 'XYZ' ? r.fx.symbol : req.symbol });
  expect(receipt.status, `submit(${req.coid}) receipt`).to.equal('sent');
}

/** Puts a resting limit order in place and waits for its acknowledgement. */
export async function resting(r: BrokerRun, coid: string, side: OrderSide, price: Price, qty: Quantity = 100): Promise<void> {
  submitSent(r, order(coid, side, 'limit', qty, { limit: price, symbol: r.fx.symbol }));
  await r.settle();
  if (r.rec.of('order.accepted', { coid }).length === 0) {
    throw new SequenceMismatch(
      `setup: resting ${coid} was not accepted`,
      [`order.accepted{coid ${coid}}`],
      r.rec.events.map(describeEvent),
    );
  }
}

/** Each execution ends with one commission: on the fill or in one `commission.reported` (B5 checks "at most one"). */
export function expectCommission(events: readonly Recorded[], execId: string, amount: number | null): void {
  const fill = events.find((e) => e.type === 'order.filled' && e.payload.execId === execId);
  const onFill = fill?.payload.commission;
  const reported = events.filter((e) => e.type === 'commission.reported' && e.payload.execId === execId);
  const value = onFill !== null && onFill !== undefined ? onFill : reported[0]?.payload.amount;
  if (value === undefined) {
    throw new SequenceMismatch(`no commission for ${execId}`, [`commission for ${execId}`], events.map(describeEvent));
  }
  if (amount !== null) expect(value, `commission for ${execId}`).to.equal(amount);
}

export function execIdOf(events: readonly Recorded[], coid: string, nth = 0): string {
  const fills = events.filter((e) => e.type === 'order.filled' && e.payload.coid === coid);
  const f = fills[nth];
  if (f === undefined) throw new SequenceMismatch(`no fill #${nth} for ${coid}`, [`order.filled{coid ${coid}}`], events.map(describeEvent));
  return f.payload.execId as string;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

/** A driver feature's method, typed as the cards call it (the suite checked it exists when the feature is declared). */
export function feature<K extends keyof BrokerFaultDriver>(r: BrokerRun, name: K): BrokerFaultDriver[K] {
  const fn = r.venue()[name];
  if (typeof fn !== 'function') throw new SequenceMismatch(`driver feature ${name} has no method`, [], r.rec.events.map(describeEvent));
  return (fn as (...a: unknown[]) => unknown).bind(r.venue()) as BrokerFaultDriver[K];
}

/** Settles until `done()` holds (at most `rounds` settle windows), for outcomes that take a reconnect or a pass. */
export async function until(r: BrokerRun, done: () => boolean, label: string, rounds = 12, us?: number): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await r.settle(us);
  if (!done()) throw new SequenceMismatch(`${label}: not reached after ${rounds} settle windows`, [label], r.rec.events.map(describeEvent));
}

/** A reason given as a token: the token itself, or the token followed by detail (`upstream-lost (IB 1100)`). */
export const token =
  (word: string) =>
  (v: unknown): boolean =>
    typeof v === 'string' && (v === word || v.startsWith(`${word} `) || v.startsWith(`${word}:`) || v.startsWith(`${word} (`));

export const includesAll =
  (...xs: string[]) =>
  (v: unknown): boolean =>
    Array.isArray(v) && xs.every((x) => v.includes(x));

/** The state as the events tell it (the last `connection.changed`). */
export function stateOf(r: BrokerRun): string {
  const last = r.rec.of('connection.changed').at(-1);
  return last === undefined ? 'Disconnected' : String(last.payload.to);
}

/** `connect()`, letting the venue double's I/O run meanwhile (the initial sync answers through it). */
export async function connect(r: BrokerRun): Promise<void> {
  const p = r.subject.connect();
  await r.settle();
  await p;
}
