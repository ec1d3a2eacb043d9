import { seedFrom, Sfc32 } from '../domain/random.js';
import { toMoney } from '../domain/units.js';
import { ManualClock } from '../engine/virtual-clock.js';
import { createKernelParts, type KernelParts } from '../engine/kernel-parts.js';
import { SessionEngine } from '../engine/session-engine.js';
import { composeKernel } from './compose-kernel.js';
import { accountKey } from '../engine/checkpoint-codec.js';
import type { Liveness } from '../engine/runtime-restore.js';
import type { SessionPlan } from '../engine/session-plan.js';
import { HarvesterError, PluginError } from '../errors/harvester-error.js';
import type { ResolvedConfig, ResolvedSelection } from '../config/resolve-config.js';
import type { Clock } from '../../ports/clock.js';
import type { Journal } from '../../ports/journal.js';
import type { MarketDataFeed } from '../../ports/market-data-feed.js';
import type { StrategyLog } from '../../ports/strategy.js';
import type { AdapterContext, PluginContext, PluginParams } from '../../plugins/sdk/contexts.js';
import type { AdapterInstance, AdapterManifest } from '../../plugins/sdk/manifest.js';

export interface CreateHarvesterOptions {
  sessionId: string;
  wallStartedAt: string;
  /** Wall clock for sim-live/paper/live; replay gets a virtual clock at the session start when omitted. */
  clock?: Clock;
  log: (pluginId: string) => StrategyLog;
  /**
   * The environment adapters read secrets from and HARVESTER_ARM_LIVE comes from; the CLI passes the one captured
   * at process start (adapters/cli/launch-env.ts), before config code ran. Defaults to process.env.
   */
  env?: Readonly<NodeJS.ProcessEnv>;
  /** `--arm-live` was given. */
  armLive?: boolean;
  /** Observers of the journal stream (alerts) wrap the store's journal here; the rows themselves are unchanged. */
  wrapJournal?: (journal: Journal) => Journal;
  /** Whether the process of an earlier session still runs (the CLI's pid files); default: unknown (taken as gone). */
  liveness?: Liveness;
}

export interface HarvesterRuntime {
  engine: SessionEngine;
  clock: Clock;
  parts: KernelParts;
  /** The session's journal (read back by sweeps and benches after `engine.run()`, before `close`). */
  journal: Journal;
  /** The session's market-data port, for observers that record or watch it (they subscribe; they never drive it). */
  feed: MarketDataFeed;
  /** Release adapters (sockets, files, database); idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: the only place that turns a resolved config into objects. Plugins are created with
 * contexts; the kernel is then built from what they returned, by plain constructor calls (decision 0008).
 */
export async function createHarvester(config: ResolvedConfig, options: CreateHarvesterOptions): Promise<HarvesterRuntime> {
  const root = config.root;
  const window = config.window;
  const clock = options.clock ?? new ManualClock(window.start);
  const startEquity = toMoney(root.account.startEquity);
  const parts = createKernelParts(clock, startEquity, root.book.topN);
  const env = options.env ?? process.env;

  const base = <P>(pluginId: string, params: P): PluginContext<P> => ({
    pluginId,
    params: params as PluginParams<P>,
    clock,
    log: options.log(pluginId),
    random: new Sfc32(seedFrom(root.seed, pluginId)),
    mode: root.mode,
    seed: root.seed,
  });
  const instruments = new Map(root.instruments.map((i) => [i.symbol, { ...i, tick: toMoney(i.tick) }]));
  const adapterContext = <P>(pluginId: string, params: P): AdapterContext<P> => ({
    ...base(pluginId, params),
    secret: (name) => env[name],
    instrument: (symbol) => instruments.get(symbol),
    market: parts.router,
    account: { id: config.accountId, currency: root.account.currency, startEquity },
    session: { date: root.session.date, timeZone: root.session.timeZone, start: window.start, end: window.end },
    dataDir: root.dataDir,
  });

  // One instance per (adapter id, params): a TWS adapter selected as both broker and feed shares its connection.
  const created = new Map<string, AdapterInstance>();
  const instantiate = async (sel: ResolvedSelection<AdapterManifest<unknown>>): Promise<AdapterInstance> => {
    const key = `${sel.manifest.id}\u0000${JSON.stringify(sel.params)}`;
    let inst = created.get(key);
    if (inst === undefined) {
      try {
        inst = await sel.manifest.create(adapterContext(sel.manifest.id, sel.params));
      } catch (error) {
        throw new PluginError('PLUGIN.START_FAILED', sel.manifest.id, `startup failed at ${sel.path}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      created.set(key, inst);
    }
    return inst;
  };
  const close = async (): Promise<void> => {
    for (const inst of created.values()) await inst.close?.();
    created.clear();
  };

  try {
    const storeInst = await instantiate(config.store);
    const feedInst = await instantiate(config.marketData);
    const brokerInst = await instantiate(config.broker);
    const need = <T>(value: T | undefined, id: string, role: string): T => {
      if (value === undefined) throw new PluginError('PLUGIN.START_FAILED', id, `declares '${role}' but create() returned none`);
      return value;
    };
    const learners = config.learners.map((l) => ({
      id: l.manifest.id,
      params: l.params as Readonly<Record<string, unknown>>,
      instance: l.manifest.create(base(l.manifest.id, l.params)),
    }));
    const learner = learners[0]!.instance;
    const risk = config.risk.map((r, i) => ({
      pluginId: r.manifest.id,
      action: r.action,
      policy: r.manifest.create(base(`${r.manifest.id}`, r.params)),
      index: i,
    }));

    const plan: SessionPlan = {
      run: {
        sessionId: options.sessionId,
        // Replays must journal byte-identical rows, so their orderRef tag derives from the seed; venue sessions need a
        // tag unique to the run, so a restarted process can tell its own orders from a previous run's.
        sessionTag: root.mode === 'replay' ? `r${root.seed}` : options.sessionId.slice(-8),
        mode: root.mode,
        seed: root.seed,
        wallStartedAt: options.wallStartedAt,
        config: config.redacted,
      },
      plugins: {
        strategies: config.strategies.map((s) => ({ manifest: s.manifest, instanceId: s.instanceId, params: s.params })),
        risk,
        learner: { id: learners[0]!.id, instance: learner },
        learners,
      },
      day: {
        window: { ...window, date: root.session.date, timeZone: root.session.timeZone },
        startEquity,
        topN: root.book.topN,
        onShutdown: root.onShutdown ?? (root.mode === 'paper' || root.mode === 'live' ? 'keep-protection' : 'flatten'),
      },
      safety: {
        killSwitch: root.killSwitch,
        maxDataAgeMs: root.startGates.maxDataAgeMs,
        arming: {
          accountId: config.accountId,
          configArmed: root.live.armed,
          armFlag: options.armLive ?? false,
          armEnv: env.HARVESTER_ARM_LIVE,
          venues: config.venues,
        },
        riskFloor: config.riskFloor,
        whitelist: config.riskFloor.applies ? new Set(root.instruments.map((i) => i.symbol)) : null,
      },
      learning: root.learning,
      recovery: {
        adoptedPositions: root.recovery.adoptedPositions,
        // Derived once (scrypt is slow on purpose); replays never carry state and need none.
        accountKey: root.mode === 'replay' ? 'none' : accountKey(config.accountId),
        liveness: options.liveness ?? (() => 'unknown'),
      },
      secrets: config.secrets,
      log: options.log,
    };

    // The ports, from the adapters; then the kernel graph, built by hand in one function, and the session over it
    // (docs/decisions/0008-explicit-composition-root.md).
    const feed = need(feedInst.feed, config.marketData.manifest.id, 'market-data');
    const broker = need(brokerInst.broker, config.broker.manifest.id, 'broker');
    const stored = need(storeInst.journal, config.store.manifest.id, 'store (journal)');
    const journal = options.wrapJournal ? options.wrapJournal(stored) : stored;
    const memoryStore = need(storeInst.memory, config.store.manifest.id, 'store (memory)');
    const kernel = composeKernel({ clock, feed, broker, journal, memoryStore }, plan, parts);
    const engine = new SessionEngine(plan, kernel);
    return { engine, clock, parts, feed, journal, close };
  } catch (error) {
    await close();
    if (error instanceof HarvesterError) throw error;
    throw new HarvesterError('ENGINE.NOT_STARTED', `could not assemble the session: ${(error as Error).message}`, { cause: error });
  }
}
