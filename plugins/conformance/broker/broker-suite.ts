import { ManualClock } from '../../../core/engine/virtual-clock.js';
import { InvariantViolation, SequenceMismatch, type CardDef } from '../card.js';
import { EventRecorder } from '../recorder.js';
import { registerMochaSuite, settleClock, type PortSuite } from '../suite.js';
import { lifecycleCards, type BrokerCard } from './broker-cards-lifecycle.js';
import { faultCards } from './broker-cards-faults.js';
import { ledgerCards } from './broker-cards-ledger.js';
import { orderCards } from './broker-cards-orders.js';
import { raceCards } from './broker-cards-races.js';
import { recoveryCards } from './broker-cards-recovery.js';
import { brokerMonitor, positionMonitor } from './broker-monitor.js';
import {
  BROKER_EVENT_NAMES,
  DEFAULT_BROKER_FIXTURES,
  DEFAULT_BROKER_TIMEOUTS,
  normalizeBrokerCapabilities,
  type BrokerCreateContext,
  type BrokerRun,
  type BrokerSubjectHandle,
  type BrokerSuiteOptions,
} from './broker-types.js';
import type { Micros } from '../../../core/domain/units.js';

/**
 * Every BRK card, in id order (the closed registry of docs/conformance-kit.md#waivers); the sort is stable, so variants keep their order.
 */
export const BROKER_CARDS: readonly BrokerCard[] = [
  ...lifecycleCards,
  ...orderCards,
  ...raceCards,
  ...faultCards,
  ...ledgerCards,
  ...recoveryCards,
].sort((a, b) => a.id.localeCompare(b.id));

/** 2026-03-10 10:00 New York (EDT), a Tuesday. */
export const DEFAULT_START: Micros = Date.UTC(2026, 2, 10, 14, 0, 0) * 1000;

const MINIMAL_FEATURES = ['fill', 'reject'] as const;

/** Builds the broker suite as data; `describeBrokerAdapterConformance` registers it with mocha. */
export function buildBrokerSuite(name: string, options: BrokerSuiteOptions): PortSuite<BrokerRun> {
  const caps = normalizeBrokerCapabilities(options.capabilities);
  const features = new Set<string>(options.driverFeatures ?? []);
  if (caps.isLive !== true) {
    const missing = MINIMAL_FEATURES.filter((x) => !features.has(x));
    if (missing.length > 0) throw new Error(`conformance: a scripted broker run needs driver features ${missing.join(', ')}`);
  }
  const fx = { ...DEFAULT_BROKER_FIXTURES, ...(options.fixtures ?? {}) };
  const timeouts = { ...DEFAULT_BROKER_TIMEOUTS, ...(options.timeouts ?? {}) };
  const settleWindow = timeouts.ackTimeout + 1_000_000;

  const makeRun = async (
    card: string,
    clock: ManualClock,
    reopen?: BrokerSubjectHandle,
  ): Promise<{ run: BrokerRun; handle: BrokerSubjectHandle }> => {
    const ctx: BrokerCreateContext = { clock, log: () => undefined, fixtures: fx, timeouts, card, ...(reopen ? { reopen } : {}) };
    const handle = await options.create(ctx);
    if (caps.isLive !== true && handle.driver !== undefined) {
      for (const feat of features) {
        const method = feat === 'partialFill' ? 'fill' : feat;
        if (typeof handle.driver[method] !== 'function')
          throw new Error(`conformance: driver feature ${feat} declared, but the driver has no ${method}()`);
      }
    }
    const rec = new EventRecorder().attach((e, l) => handle.subject.on(e as never, l as never), BROKER_EVENT_NAMES);
    const run: BrokerRun = {
      subject: handle.subject,
      driver: handle.driver,
      clock,
      rec,
      fx,
      timeouts,
      caps,
      features,
      settle: (us = settleWindow) => settleClock(clock, handle, us),
      venue: () => {
        if (handle.driver === undefined) throw new SequenceMismatch('this card needs a driver (venue double); none was provided', [], []);
        return handle.driver;
      },
      received: (kind, coid) => {
        const list = handle.driver?.received?.();
        if (list === undefined) return null;
        return list.filter((m) => m.kind === kind && (coid === undefined || m.coid === coid)).length;
      },
      reopen: async () => (await makeRun(card, clock, handle)).run,
    };
    return { run, handle };
  };

  const execute = async (def: CardDef<BrokerRun>): Promise<void> => {
    const card = def as BrokerCard;
    const clock = new ManualClock(options.startTime ?? DEFAULT_START);
    const { run, handle } = await makeRun(card.id, clock);
    const startedAt = clock.now();
    let disposed = false;
    try {
      if (handle.driver !== undefined && caps.isLive !== true) await handle.driver.quote(fx.symbol, fx.bid, fx.bidSize, fx.ask, fx.askSize);
      if (card.fresh !== true) {
        const p = run.subject.connect();
        await run.settle();
        await p;
      }
      await card.run!(run);
      const violations = [
        ...brokerMonitor(run.rec.events, { commissionWindowElapsed: clock.now() - startedAt > timeouts.commissionWait }),
        ...(card.id === 'BRK-03' ? [] : positionMonitor(run.rec.events, run.subject.positions())), // docs/conformance-cards.md#brk-03
      ];
      if (violations.length > 0) throw new InvariantViolation(violations, run.rec.lines());
    } catch (error) {
      // Attach the recorded sequence to every failure, so the report can show it next to the expected one.
      if (error instanceof SequenceMismatch || error instanceof InvariantViolation) throw error;
      const wrapped = new SequenceMismatch((error as Error).message ?? String(error), [], run.rec.lines());
      throw wrapped;
    } finally {
      run.rec.detach();
      if (!disposed) {
        disposed = true;
        try {
          await run.subject.dispose();
        } catch {
          // A second dispose (BRK-03, docs/conformance-cards.md#brk-03) or a subject already torn down: not this card's concern.
        }
        await handle.dispose?.();
      }
    }
  };

  return {
    port: 'IBrokerAdapter',
    name,
    cards: BROKER_CARDS,
    fixtures: fx as unknown as Record<string, unknown>,
    options,
    env: { capabilities: caps as Record<string, unknown>, driverFeatures: features, isLive: caps.isLive === true },
    execute,
  };
}

/**
 * Registers the IBrokerAdapter conformance suite (cards BRK, monitors B1–B10) as one mocha `describe`.
 *
 * @example
 * describeBrokerAdapterConformance('acme', {
 *   create: (ctx) => ({ subject, driver }),
 *   capabilities: ['market'],
 *   driverFeatures: ['fill', 'reject'],
 * });
 */
export function describeBrokerAdapterConformance(name: string, options: BrokerSuiteOptions): void {
  registerMochaSuite(buildBrokerSuite(name, options));
}
