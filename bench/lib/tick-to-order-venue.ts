/**
 * The venue side of bench/tick-to-order.ts, on its own thread: the fake TWS publishes the depth frames and times the
 * placeOrder bytes that come back. On the engine's thread it read those bytes only once the engine's turn was over
 * (its checkpoint and status commits after the order left), so every sample also counted work done after the order
 * was on the wire; a real TWS is another process and reads them at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FakeTwsServer, wallClock, type FakeMatcher } from '../../adapters/fake-tws/index.js';
import { level } from '../../adapters/fake-tws/market-builders.js';

export interface VenueRun {
  kind: 'run';
  samples: number;
  warmup: number;
  spacingMs: number;
  trace: boolean;
}
export type VenueReport =
  | { kind: 'ready'; port: number }
  | { kind: 'progress'; done: number; total: number }
  /** Latency of every sample in µs (warm-up included; NaN where no order came within the timeout). */
  | { kind: 'done'; latencyUs: number[] }
  | { kind: 'stopped' };

/** Shared with the engine's thread: [sample index, hrtime when its frame was published]. */
const shared = new BigInt64Array(workerData.clock as SharedArrayBuffer);
const port = parentPort!;

// The reactor's far-away buys never fill; a venue that sweeps its resting orders on every touch (the fake's default
// matcher) would put an O(open orders) cost of the fake into every sample. A matcher that rests nothing keeps the
// figure about Harvester's path; TWS still acknowledges every order through the fake's desk.
const restNothing: FakeMatcher = {
  setSink: () => {},
  submit: () => {},
  modify: () => {},
  cancel: () => {},
  onTouch: () => {},
  onTrade: () => {},
};
// The fake's clock must be the wall clock: the session checks TWS's currentTime against its own (WallClock) and goes
// to SAFE_MODE (entries denied) once they are 5 s apart (docs/tws-adapter.md#heartbeat).
const server = await FakeTwsServer.start({ clock: wallClock, accounts: ['DU0000001'], matcher: restNothing });
let waiting: ((t: bigint) => void) | null = null;
server.on('frame', (f: { request: { kind: string } }) => {
  if (f.request.kind === 'placeOrder' && waiting !== null) {
    const t = process.hrtime.bigint();
    const w = waiting;
    waiting = null;
    w(t);
  }
});

async function run(r: VenueRun): Promise<number[]> {
  const total = r.samples + r.warmup;
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    if (i % 50 === 0) port.postMessage({ kind: 'progress', done: i, total } satisfies VenueReport);
    const got = new Promise<bigint>((resolve) => {
      waiting = resolve;
    });
    const sentAt = process.hrtime.bigint();
    shared[0] = BigInt(i);
    shared[1] = sentAt;
    // A new best bid every time, so the frame always reaches row 0 of the client's 5-row book.
    server.publish(level('AAPL', 'bid', 150 + i / 100, 100 + (i % 7) * 100));
    let timer: NodeJS.Timeout | undefined;
    const t = await Promise.race([got, new Promise<bigint>((res) => (timer = setTimeout(() => res(0n), 1000)))]);
    clearTimeout(timer);
    if (t === 0n) {
      waiting = null;
      if (r.trace) console.error(`missed at ${i}`);
      out.push(Number.NaN);
      continue;
    }
    out.push(Number(t - sentAt) / 1000);
    const spent = Number(process.hrtime.bigint() - sentAt) / 1e6;
    if (spent < r.spacingMs) await new Promise((res) => setTimeout(res, r.spacingMs - spent));
  }
  return out;
}

port.on('message', (m: VenueRun | { kind: 'stop' }) => {
  if (m.kind === 'run') void run(m).then((latencyUs) => port.postMessage({ kind: 'done', latencyUs } satisfies VenueReport));
  else void server.stop().then(() => port.postMessage({ kind: 'stopped' } satisfies VenueReport));
});
port.postMessage({ kind: 'ready', port: server.port } satisfies VenueReport);
