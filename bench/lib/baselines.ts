import fs from 'node:fs';
import { OrderBook as NodeOrderBook, Side } from 'nodejs-order-book';
import type { DepthEvent } from '../../core/domain/market.js';
import { OrderBook } from '../../core/domain/order-book.js';
import { RecordingReader } from '../../adapters/replay/recording/recording-reader.js';
import { L2Arithmetic } from './l2-arithmetic.js';

/** A recording decoded once into typed arrays, so the bare loop measures book work, not file reading. */
export interface DecodedEvents {
  symbol: string;
  count: number;
  kind: Uint8Array; // 1 depth, 2 trade, 0 other
  side: Uint8Array; // depth: 0 bid 1 ask; trade: 1 buy 2 sell 0 unknown
  op: Uint8Array;
  end: Uint8Array;
  position: Int16Array;
  price: Float64Array;
  size: Float64Array;
  time: Float64Array;
}

const OPS = ['insert', 'update', 'delete', 'clear'] as const;

export async function decode(file: string): Promise<DecodedEvents> {
  const reader = RecordingReader.open(file);
  const cap = 1 << 16;
  let d: DecodedEvents = alloc(reader.header.symbol, cap);
  let n = 0;
  await reader.forEach({
    event: (e) => {
      if (n === d.kind.length) d = grow(d);
      d.time[n] = e.recvTime;
      if (e.kind === 'depth') {
        d.kind[n] = 1;
        d.side[n] = e.side === 'bid' ? 0 : 1;
        d.op[n] = OPS.indexOf(e.operation);
        d.end[n] = e.endOfBatch ? 1 : 0;
        d.position[n] = e.position;
        d.price[n] = e.price;
        d.size[n] = e.size;
      } else if (e.kind === 'trade') {
        d.kind[n] = 2;
        d.side[n] = e.aggressor === 'buy' ? 1 : e.aggressor === 'sell' ? 2 : 0;
        d.price[n] = e.price;
        d.size[n] = e.size;
      } else d.kind[n] = 0;
      n++;
    },
  });
  reader.close();
  d.count = n;
  return d;
}

function alloc(symbol: string, cap: number): DecodedEvents {
  return {
    symbol,
    count: 0,
    kind: new Uint8Array(cap),
    side: new Uint8Array(cap),
    op: new Uint8Array(cap),
    end: new Uint8Array(cap),
    position: new Int16Array(cap),
    price: new Float64Array(cap),
    size: new Float64Array(cap),
    time: new Float64Array(cap),
  };
}

function grow(d: DecodedEvents): DecodedEvents {
  const g = alloc(d.symbol, d.kind.length * 2);
  g.kind.set(d.kind);
  g.side.set(d.side);
  g.op.set(d.op);
  g.end.set(d.end);
  g.position.set(d.position);
  g.price.set(d.price);
  g.size.set(d.size);
  g.time.set(d.time);
  return g;
}

/** The bare loop: book updates plus the same per-event arithmetic, no framework. Returns events per second. */
export function bareLoop(d: DecodedEvents): { eventsPerSec: number; bookUpdateNs: number; checksum: number } {
  const book = new OrderBook(d.symbol, { maxLevels: 20, topN: 5 });
  const a = new L2Arithmetic();
  const e: DepthEvent = {
    kind: 'depth',
    symbol: d.symbol,
    side: 'bid',
    position: -1,
    operation: 'update',
    price: 0,
    size: 0,
    marketMaker: '',
    endOfBatch: false,
    seq: 0,
    epoch: 1,
    recvTime: 0,
    exchTime: null,
  };
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < d.count; i++) {
    const k = d.kind[i];
    if (k === 1) {
      e.side = d.side[i] === 0 ? 'bid' : 'ask';
      e.operation = OPS[d.op[i]!]!;
      e.position = d.position[i]!;
      e.price = d.price[i]!;
      e.size = d.size[i]!;
      e.endOfBatch = d.end[i] === 1;
      e.recvTime = d.time[i]!;
      book.apply(e);
      if (e.endOfBatch) {
        a.onBatch(book);
        checksum += a.imbalance;
      }
    } else if (k === 2) {
      a.onTrade(d.time[i]!, d.size[i]!, d.side[i] === 0 ? null : d.side[i] === 1);
    }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  // Median cost of one book update, timed in batches of 1,000 updates (a single update is below timer resolution).
  const book2 = new OrderBook(d.symbol, { maxLevels: 20, topN: 5 });
  const samples: number[] = [];
  let i = 0;
  while (i < d.count) {
    let done = 0;
    const s = process.hrtime.bigint();
    for (; i < d.count && done < 1000; i++) {
      if (d.kind[i] !== 1) continue;
      e.side = d.side[i] === 0 ? 'bid' : 'ask';
      e.operation = OPS[d.op[i]!]!;
      e.position = d.position[i]!;
      e.price = d.price[i]!;
      e.size = d.size[i]!;
      e.endOfBatch = d.end[i] === 1;
      book2.apply(e);
      done++;
    }
    if (done > 0) samples.push(Number(process.hrtime.bigint() - s) / done);
  }
  samples.sort((x, y) => x - y);
  return { eventsPerSec: d.count / (ns / 1e9), bookUpdateNs: samples[samples.length >> 1] ?? 0, checksum };
}

/** The LOBSTER message file parsed once into typed arrays, so each nodejs-order-book round measures only the book. */
export interface LobsterMessages {
  count: number;
  type: Uint8Array;
  id: Float64Array;
  size: Float64Array;
  price: Float64Array;
  dir: Int8Array;
}

export function loadLobsterMessages(messageFile: string): LobsterMessages {
  const lines = fs.readFileSync(messageFile, 'utf8').split('\n');
  const n = lines.length;
  const m: LobsterMessages = {
    count: 0,
    type: new Uint8Array(n),
    id: new Float64Array(n),
    size: new Float64Array(n),
    price: new Float64Array(n),
    dir: new Int8Array(n),
  };
  for (const line of lines) {
    const f = line.split(',');
    if (f.length < 6) continue;
    const i = m.count++;
    m.type[i] = Number(f[1]);
    m.id[i] = Number(f[2]);
    m.size[i] = Number(f[3]);
    m.price[i] = Number(f[4]);
    m.dir[i] = Number(f[5]);
  }
  return m;
}

/**
 * nodejs-order-book applying the LOBSTER messages themselves (order-by-order) the way its README shows: `limit()` for
 * a new order (type 1), `modify(id, { size })` for a partial cancel or partial execution (types 2, 4), `cancel(id)` for
 * a delete or a full execution (types 3, 4). Hidden executions (5), crosses (6) and halts (7) touch no visible order.
 * A fresh book per call. Returns messages per second over every message of the day (the ones it skips included, so
 * that the per-message rate and the per-day time say the same thing).
 */
export function nodejsOrderBook(msgs: LobsterMessages): { eventsPerSec: number; messages: number; rejected: number; dayMs: number } {
  const { type, id, size, price, dir } = msgs;
  const m = msgs.count;
  const ob = new NodeOrderBook();
  const remaining = new Map<number, number>();
  let rejected = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < m; i++) {
    const t = type[i];
    const oid = id[i]!;
    if (t === 1) {
      ob.limit({ id: String(oid), side: dir[i] === 1 ? Side.BUY : Side.SELL, size: size[i]!, price: price[i]! });
      remaining.set(oid, size[i]!);
    } else if (t === 2 || t === 4) {
      const left = (remaining.get(oid) ?? 0) - size[i]!;
      if (!remaining.has(oid)) {
        rejected++;
        continue;
      }
      if (left > 0) {
        ob.modify(String(oid), { size: left });
        remaining.set(oid, left);
      } else {
        ob.cancel(String(oid));
        remaining.delete(oid);
      }
    } else if (t === 3) {
      if (!remaining.has(oid)) {
        rejected++;
        continue;
      }
      ob.cancel(String(oid));
      remaining.delete(oid);
    }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { eventsPerSec: m / (ns / 1e9), messages: m, rejected, dayMs: ns / 1e6 };
}
