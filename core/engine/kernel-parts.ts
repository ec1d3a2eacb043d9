import type { Clock } from '../../ports/clock.js';
import { EventBus } from '../events/event-bus.js';
import { EventLoop } from './event-loop.js';
import { Ledger } from './ledger.js';
import { MarketRouter } from './market-router.js';

/** The kernel pieces adapters may see before the session starts (the router is the simulated broker's MarketView). */
export interface KernelParts {
  loop: EventLoop;
  bus: EventBus;
  ledger: Ledger;
  router: MarketRouter;
}

export function createKernelParts(clock: Clock, startEquity: number, topN: number): KernelParts {
  const loop = new EventLoop();
  const bus = new EventBus(() => clock.now());
  const ledger = new Ledger(startEquity);
  const router = new MarketRouter(loop, bus, ledger, topN);
  return { loop, bus, ledger, router };
}
