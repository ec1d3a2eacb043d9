/**
 * Child process of test/integration/tws-wire-fuzz.spec.ts: the TWS adapter over loopback from the fake TWS, fed
 * crafted or seeded random server frames. It runs apart from mocha because a frame that freezes the client library
 * (a negative length prefix spins it synchronously) would freeze the test runner with it; the parent kills a child
 * that does not report in time. Prints one JSON report on stdout and exits 0; a crash exits non-zero.
 *
 * Usage: node --import tsx test/support/wire-fuzz-child.ts crafted|random [seed]
 */
import { Sfc32 } from '../../core/domain/random.js';
import { FakeTwsServer, StepClock, encodeFrame, rawFrame } from '../../adapters/fake-tws/index.js';
import { quote } from '../../adapters/fake-tws/market-builders.js';
import { createTwsAdapter, sleep, TEST_ACCOUNT, until } from './tws-adapter-harness.js';

const mode = process.argv[2] === 'random' ? 'random' : 'crafted';
const seed = Number(process.argv[3] ?? 1);

/** The frames of issue #11 item 17 and their neighbours; each entry is one injection (a fatal one reconnects). */
function crafted(): Array<{ name: string; bytes: Buffer }> {
  return [
    { name: 'bad-json', bytes: encodeFrame([4, 2, 1000, 201, 'Order rejected - reason:', '{not json']) },
    {
      name: 'negative-prefix',
      bytes: Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('4\x002\x00-1\x002104\x00x\x00\x00')]),
    },
    { name: 'zero-length', bytes: Buffer.concat([Buffer.alloc(4), Buffer.from('9\x001\x001\x00')]) },
    { name: 'oversized', bytes: rawFrame(0x7fffffff, 'stall') },
    { name: 'no-terminator', bytes: rawFrame(5, '9\x001\x001') },
    { name: 'unknown-id', bytes: rawFrame(4, '250\x00') },
    { name: 'non-numeric-id', bytes: rawFrame(8, 'abc\x00def\x00') },
    { name: 'underrun', bytes: encodeFrame([11, -1, 1000]) },
    // Valid: the library un-escapes \uXXXX before JSON.parse, and so does the guard.
    {
      name: 'escaped-json',
      bytes: encodeFrame([4, 2, 1000, 201, 'Order rejected - reason:', '{\\u0022rejectReason\\u0022:\\u0022x\\u0022}']),
    },
  ];
}

/** Seeded random frames: raw junk, known ids with random fields, ERR_MSG with junk JSON, random length prefixes. */
function random(n: number): Buffer[] {
  const rng = new Sfc32(seed);
  const junk = (len: number): Buffer => Buffer.from(Array.from({ length: len }, () => rng.int(0, 256)));
  const word = (): string => {
    const r = rng.next();
    if (r < 0.3) return String(rng.int(-5, 2_000));
    if (r < 0.5) return '';
    if (r < 0.6) return '{"a":' + junk(rng.int(0, 6)).toString('latin1');
    if (r < 0.7) return '1.7976931348623157E308';
    return junk(rng.int(1, 10)).toString('latin1').replace(/\0/g, '');
  };
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.35) {
      const b = junk(rng.int(1, 80));
      if (rng.next() < 0.5) b[b.length - 1] = 0;
      out.push(rawFrame(b.length, b));
    } else if (r < 0.75) {
      const ids = [1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 17, 46, 49, 52, 53, 55, 59, 61, 62, 99];
      out.push(encodeFrame([ids[rng.int(0, ids.length)]!, ...Array.from({ length: rng.int(0, 14) }, word)]));
    } else if (r < 0.9) out.push(encodeFrame([4, 2, rng.int(-1, 2_000), rng.int(3_000, 10_000), word(), word()]));
    else {
      // A random prefix never inside 1..16 MiB (first byte ≥ 1): a lost framing, not a stall (the crafted set has one).
      const head = junk(4);
      head[0] = rng.int(1, 256);
      out.push(Buffer.concat([head, junk(rng.int(0, 30))]));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
  let placements = 0;
  server.on('frame', (f) => {
    if (f.request.kind === 'placeOrder') placements++;
  });
  const t = createTwsAdapter(server.port, 61, {
    heartbeatIntervalMs: 25,
    heartbeatTimeoutMs: 300,
    backoffMs: [20, 40, 80],
    maxReconnectAttempts: 200,
    badFrameLimit: 5,
    badFrameWindowMs: 10_000,
  });
  await t.broker.connect();
  let ticks = 0; // an event-loop timer: a synchronous spin in the client library would stop it
  const ticker = setInterval(() => {
    ticks++;
  }, 1);
  let beats = 0;
  let last = t.connection.lastHeartbeatAt;
  const poll = setInterval(() => {
    if (t.connection.lastHeartbeatAt !== last) {
      beats++;
      last = t.connection.lastHeartbeatAt;
    }
  }, 2);
  const connected = (): Promise<void> =>
    until(() => t.connection.state === 'Connected' && t.broker.health().canTrade, 'Connected again', 10_000);
  const perCase: Record<string, { dropped: number; state: string }> = {};
  if (mode === 'crafted') {
    for (const c of crafted()) {
      const before = t.broker.health().droppedFrames ?? 0;
      server.inject({ kind: 'raw', bytes: c.bytes });
      await sleep(60);
      await connected();
      perCase[c.name] = { dropped: (t.broker.health().droppedFrames ?? 0) - before, state: t.connection.state };
    }
  } else {
    const frames = random(400);
    const rng = new Sfc32(seed ^ 0x5eed);
    for (let i = 0; i < frames.length; ) {
      if (t.connection.state !== 'Connected') await connected(); // frames sent while reconnecting would reach no one
      // A random number of frames in one write, split at a random byte: the guard must frame across chunks.
      const k = rng.int(1, 6);
      const chunk = Buffer.concat(frames.slice(i, i + k));
      i += k;
      const cut = rng.int(0, chunk.length + 1);
      server.inject({ kind: 'raw', bytes: chunk.subarray(0, cut) });
      server.inject({ kind: 'raw', bytes: chunk.subarray(cut) });
      await sleep(3);
      if (process.env.FUZZ_DEBUG) process.stderr.write(`${i} ${t.connection.state} ${JSON.stringify(t.connection.frameStats)}\n`);
    }
    await connected();
  }
  const fuzzBeats = beats;
  const fuzzTicks = ticks;
  const fillsOnGarbage = t.of('order.filled').length;
  const placementsOnGarbage = placements;
  // Still alive after the fuzz: the heartbeat keeps firing, and one real order goes out exactly once.
  await until(() => beats >= fuzzBeats + 3, 'heartbeats after the fuzz', 10_000);
  server.publish(quote('AAPL', 150.25, 150.27));
  t.broker.submit({ coid: 'AFTER', symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, tif: 'day', orderRef: 'hv:fuzz:AFTER' });
  await until(() => t.of('order.filled').length > fillsOnGarbage, 'the order after the fuzz filled', 10_000);
  clearInterval(poll);
  clearInterval(ticker);
  const report = {
    mode,
    seed,
    perCase,
    placementsOnGarbage,
    fillsOnGarbage,
    placementsAfter: placements,
    beatsDuringFuzz: fuzzBeats,
    beats,
    ticksDuringFuzz: fuzzTicks,
    droppedFrames: t.broker.health().droppedFrames,
    byFault: t.connection.frameStats.byFault,
    passed: t.connection.frameStats.passed,
    reconnects: t.connection.reconnects,
    state: t.connection.state,
    fatal: t
      .of('broker.error')
      .filter((e) => e.severity === 'fatal')
      .map((e) => e.code),
  };
  await t.close();
  await server.stop();
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`wire-fuzz-child failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(2);
});
