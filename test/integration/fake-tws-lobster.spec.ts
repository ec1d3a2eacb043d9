import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EventName, type Contract } from '@stoqey/ib';
import { expect } from 'chai';
import type { DepthEvent } from '../../core/domain/market.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { skipBecause } from '../support/skip.js';

const DIR = '../shared/data/lobster/GOOG_2012-06-21_L10';
const BOOK = `${DIR}/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv`;
const ROWS = 3000;
const GOOG = { symbol: 'GOOG', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;

type Levels = Map<number, number>;

/** First `n` LOBSTER snapshots as [asks, bids] price → size maps (prices are already ten-thousandths). */
async function readSnapshots(n: number): Promise<Array<[Levels, Levels]>> {
  const out: Array<[Levels, Levels]> = [];
  const lines = createInterface({ input: createReadStream(BOOK, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const f = line.split(',').map(Number);
    const asks: Levels = new Map();
    const bids: Levels = new Map();
    for (let l = 0; l < 10; l++) {
      if (f[4 * l + 1]! > 0) asks.set(f[4 * l]!, f[4 * l + 1]!);
      if (f[4 * l + 3]! > 0) bids.set(f[4 * l + 2]!, f[4 * l + 3]!);
    }
    out.push([asks, bids]);
    if (out.length >= n) break;
  }
  lines.close();
  return out;
}

/** Price-keyed depth events that turn snapshot `prev` into `next`. */
function diff(prev: [Levels, Levels], next: [Levels, Levels], t: number): DepthEvent[] {
  const out: DepthEvent[] = [];
  (['ask', 'bid'] as const).forEach((side, i) => {
    const a = prev[i]!;
    const b = next[i]!;
    const push = (price: number, size: number): void => {
      out.push({
        kind: 'depth',
        symbol: 'GOOG',
        seq: 0,
        epoch: 1,
        recvTime: t,
        exchTime: t,
        side,
        position: -1,
        operation: size > 0 ? 'update' : 'delete',
        price,
        size,
        marketMaker: '',
        endOfBatch: false,
      });
    };
    for (const p of a.keys()) if (!b.has(p)) push(p, 0);
    for (const [p, s] of b) if (a.get(p) !== s) push(p, s);
  });
  if (out.length > 0) out[out.length - 1]!.endOfBatch = true;
  return out;
}

describe('fake TWS depth on the real LOBSTER GOOG day', () => {
  let server: FakeTwsServer | undefined;
  let client: IbHarness | undefined;
  afterEach(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it(`the client's 5-row book matches LOBSTER's top 5 after ${ROWS} snapshots, zero decoder errors`, async function () {
    if (!existsSync(BOOK)) skipBecause(this, `LOBSTER data not found at ${DIR}`);
    const snaps = await readSnapshots(ROWS);
    server = await FakeTwsServer.start({ clock: new StepClock() });
    client = await IbHarness.connect(server.port, 9);
    client.ib.reqMktDepth(12, GOOG, 5, false, []);
    await client.settle();
    let prev: [Levels, Levels] = [new Map(), new Map()];
    let events = 0;
    for (let i = 0; i < snaps.length; i++) {
      for (const e of diff(prev, snaps[i]!, 34_200_000_000 + i)) {
        server.publish(e);
        events++;
      }
      prev = snaps[i]!;
    }
    await client.settle();
    const rows: [Array<[number, number]>, Array<[number, number]>] = [[], []];
    for (const [, pos, op, side, price, size] of client.all(EventName.updateMktDepth) as number[][]) {
      const r = rows[side as 0 | 1];
      if (op === 0) r.splice(pos!, 0, [price!, size!]);
      else if (op === 1) r[pos!] = [price!, size!];
      else r.splice(pos!, 1);
    }
    const top = (m: Levels, desc: boolean): Array<[number, number]> =>
      [...m]
        .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
        .slice(0, 5)
        .map(([p, s]) => [p / 10_000, s]);
    const last = snaps[snaps.length - 1]!;
    expect(events).to.be.greaterThan(ROWS);
    expect(rows[0]).to.deep.equal(top(last[0], false));
    expect(rows[1]).to.deep.equal(top(last[1], true));
    expect(client.decoderErrors()).to.deep.equal([]);
  });
});
