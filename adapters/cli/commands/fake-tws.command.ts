import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { MarketEvent } from '../../../core/domain/market.js';
import { Sfc32 } from '../../../core/domain/random.js';
import { recordingEvents } from '../../replay/recording/recording-events.js';
import { IBKR_FIXED } from '../../simulated/commission-model.js';
import { SimulatedBroker } from '../../simulated/simulated-broker.adapter.js';
import { WallClock } from '../../system-clock/wall-clock.js';

/** Turns a recording file into market events in time order; the replay adapter can provide a better one. */
export type RecordingLoader = (file: string) => AsyncIterable<MarketEvent>;

export interface FakeTwsCommandDeps {
  /** Reads `--recording FILE`. Default: a Harvester recording (.hrec), else JSON Lines (one MarketEvent per line). */
  loadRecording?: RecordingLoader;
}

interface FakeTwsCliOptions {
  port: string;
  scenario: string;
  seed: string;
  recording?: string;
  speed: string;
  serverVersion: string;
  account: string;
  symbol: string;
}

/**
 * `harvester fake-tws`: a fake TWS on loopback for sim-live runs and manual checks with the real client. Prints the
 * port it listens on and runs until SIGINT/SIGTERM.
 */
export function registerFakeTwsCommand(program: Command, deps: FakeTwsCommandDeps = {}): void {
  program
    .command('fake-tws')
    .description('run a fake TWS (real wire protocol) on 127.0.0.1 with a scripted or recorded market')
    .option('-p, --port <port>', 'TCP port on 127.0.0.1 (0 = any free port)', '0')
    .option('-s, --scenario <name>', 'fault scenario (see --list-scenarios)', 'normal')
    .option('--seed <n>', 'seed of the synthetic market', '1')
    .option('-r, --recording <file>', 'play this market recording instead of the synthetic market')
    .option('--speed <x>', 'playback speed × event time (0 = as fast as possible)', '1')
    .option('--server-version <v>', 'server version to negotiate, 100..193', '193')
    .option('--account <id>', 'managed account id to report', 'DU0000001')
    .option('--symbol <sym>', 'symbol of the synthetic market', 'AAPL')
    .option('--list-scenarios', 'print the scenario names and exit')
    .action(async (opts: FakeTwsCliOptions & { listScenarios?: boolean }) => {
      // Loaded lazily: the fake lives with the integration tests and is not needed by other commands.
      const fake = await import('../../fake-tws/index.js');
      if (opts.listScenarios) {
        for (const [name, text] of Object.entries(fake.SCENARIOS)) process.stdout.write(`${name.padEnd(30)} ${text}\n`);
        return;
      }
      if (!fake.isScenarioName(opts.scenario)) {
        throw new Error(`unknown scenario "${opts.scenario}"; try --list-scenarios`);
      }
      const seed = Number(opts.seed);
      const speed = Number(opts.speed);
      const serverVersion = Number(opts.serverVersion);
      const load = deps.loadRecording ?? ((file: string) => (file.endsWith('.hrec') ? recordingEvents(file) : readJsonLines(file)));
      const recording = opts.recording;
      const start = fake.wallClock.nowMicros();
      const market = recording
        ? fake.iterableMarket(() => load(recording))
        : fake.syntheticMarket({ symbol: opts.symbol, seed, start, steps: 6.5 * 3600 * 10, mid: 1_500_000, tick: 100, interval: 100_000 });
      // Orders are matched by the simulated broker (book walking, queue position, OCA), fed the book the clients see.
      const view = new fake.FakeMarketView();
      const venue = new SimulatedBroker({
        clock: new WallClock(),
        market: view,
        random: new Sfc32(seed),
        latencyUs: 0,
        jitterUs: 0,
        commission: IBKR_FIXED,
        queueModel: 'tail',
        startEquity: 1_000_000 * 10_000,
        account: opts.account,
        execPrefix: 'fake',
      });
      await venue.connect();
      const server = await fake.FakeTwsServer.start({
        port: Number(opts.port),
        host: '127.0.0.1',
        serverVersion,
        accounts: [opts.account],
        scenario: opts.scenario,
        seed,
        market,
        speed: speed > 0 ? speed : Infinity,
        clock: fake.wallClock,
        matcher: new fake.BrokerBackedMatcher(venue, view),
      });
      process.stdout.write(
        `fake TWS listening on 127.0.0.1:${server.port} (scenario ${opts.scenario}, ` +
          `server version ${serverVersion}, market ${recording ?? `synthetic ${opts.symbol} seed ${seed}`})\n`,
      );
      server.on('connection', (e) => process.stdout.write(`connection #${e.connectionId}\n`));
      server.on('disconnect', (e) => process.stdout.write(`connection #${e.connectionId} (client ${e.clientId}) closed\n`));
      // Each order message that reaches this TWS, so an operator rehearsing a refusal (read-only, arming) sees at once
      // whether anything got through.
      let orders = 0;
      server.on('frame', (e) => {
        if (e.request.kind !== 'placeOrder') return;
        orders++;
        const o = e.request.order;
        process.stdout.write(
          `order #${orders}: id ${o.orderId} ${o.action} ${o.totalQuantity} ${o.contract.symbol} ${o.orderType} from client ${e.clientId}\n`,
        );
      });
      await new Promise<void>((resolve) => {
        // Started through `npx`, this process is npm's child: killing npx's pid must not leave the server listening,
        // so it also stops on SIGHUP and when its parent is gone (it is then re-parented, and its ppid changes).
        const parent = process.ppid;
        const orphaned = setInterval(() => {
          if (process.ppid !== parent) stop();
        }, 500);
        orphaned.unref();
        const stop = (): void => {
          clearInterval(orphaned);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', stop);
          void server.stop().then(async () => {
            server.removeAllListeners();
            await venue.dispose();
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        process.on('SIGHUP', stop);
      });
      process.stdout.write(
        `fake TWS stopped (${server.stats.connections} connections, ${orders} order messages, ` +
          `${server.stats.decodeErrors} undecodable client frames)\n`,
      );
    });
}

/** One JSON MarketEvent per line; blank lines and lines starting with '#' are skipped. */
async function* readJsonLines(file: string): AsyncIterable<MarketEvent> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    yield JSON.parse(t) as MarketEvent;
  }
}
