import type { DepthEvent, QuoteEvent, TradeEvent } from '../../core/domain/market.js';
import { toPrice, type Micros } from '../../core/domain/units.js';

/** Small builders for scripted market events in specs (decimal prices in, integer Price units out). */
let seq = 0;
const T0: Micros = 1_767_277_800_000_000; // 2026-01-01 14:30:00 UTC

export function quote(symbol: string, bid: number, ask: number, bidSize = 100, askSize = 100, t: Micros = T0): QuoteEvent {
  return {
    kind: 'quote',
    symbol,
    seq: ++seq,
    epoch: 1,
    recvTime: t,
    exchTime: t,
    bid: toPrice(bid),
    ask: toPrice(ask),
    bidSize,
    askSize,
    flags: 0,
  };
}

export function trade(symbol: string, price: number, size = 100, t: Micros = T0): TradeEvent {
  return {
    kind: 'trade',
    symbol,
    seq: ++seq,
    epoch: 1,
    recvTime: t,
    exchTime: t,
    price: toPrice(price),
    size,
    aggressor: 'buy',
    aggressorSource: 'venue',
  };
}

/** Price-keyed depth change (position −1), as LOBSTER and the generator produce. */
export function level(symbol: string, side: 'bid' | 'ask', price: number, size: number, endOfBatch = true, t: Micros = T0): DepthEvent {
  return {
    kind: 'depth',
    symbol,
    seq: ++seq,
    epoch: 1,
    recvTime: t,
    exchTime: t,
    side,
    position: -1,
    operation: size > 0 ? 'update' : 'delete',
    price: toPrice(price),
    size,
    marketMaker: '',
    endOfBatch,
  };
}
