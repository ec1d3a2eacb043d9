import path from 'node:path';
import { LinkProxy } from './validation/link-proxy.js';
import { renderTable, writeReport, type ResultRow } from './validation/report.js';
import type { Scenario, ScenarioContext } from './validation/scenario.js';
import { cancelAll } from './validation/scenario.js';
import { CORE_SCENARIOS } from './validation/scenarios-core.js';
import { EDGE_SCENARIOS } from './validation/scenarios-edge.js';
import { ENGINE_SCENARIOS } from './validation/scenarios-engine.js';
import type { ValidationTarget } from './validation/target.js';
import { openVenue, type Venue } from './validation/venue.js';
import { skipBecause } from './skip.js';

export type { ValidationTarget, ValidationTiming, FakeControl } from './validation/target.js';

const order = (id: string): number => 'CMORE'.indexOf(id[0]!) * 100 + Number(id.slice(1));

/** Every seed-002 item, in seed order: 16 scenarios (C, M, O, R) and 17 edge cases (E). */
export const VALIDATION_SCENARIOS: readonly Scenario[] = [...CORE_SCENARIOS, ...EDGE_SCENARIOS, ...ENGINE_SCENARIOS].sort(
  (a, b) => order(a.id) - order(b.id),
);

/** TWS and IB Gateway's live-trading ports by convention: the suite never runs against them. */
const LIVE_PORTS = new Set([7496, 4001]);

/**
 * Refuses a target that is not a paper account, before anything connects: the account id must be a paper id
 * (IB paper ids start with D) and the port must not be a live port. After the connect, the adapter itself refuses an
 * account the TWS session does not manage (BROKER.AUTH_FAILED), so the suite can only ever trade the paper account.
 */
export function refuseNonPaper(t: Pick<ValidationTarget, 'account' | 'port'>): void {
  if (!/^D[A-Z0-9]+$/i.test(t.account))
    throw new Error(`refusing to validate against ${t.account.slice(0, 2)}…: not a paper account (paper ids start with D)`);
  if (LIVE_PORTS.has(t.port))
    throw new Error(`refusing to validate on port ${t.port}: a live TWS/Gateway port (paper: 7497 TWS, 4002 Gateway)`);
}

/**
 * Registers the seed-002 validation suite (one mocha test per item, named by its seed id) against `target`: the fake
 * TWS in CI, a paper TWS opt-in. Scenarios share one connection where they only read or trade the main symbol, and
 * open their own (next client id, or behind a {@link LinkProxy}) where they break the link. After the run it prints
 * the result table and writes it to `reportDir` (default var/validation-report/).
 */
export function paperValidationScenarios(getTarget: () => ValidationTarget): void {
  let t: ValidationTarget;
  let shared: Venue | null = null;
  let nextOffset = 1;
  const rows: ResultRow[] = [];

  let refused: string | null = null;

  before(async function () {
    try {
      t = getTarget();
      refuseNonPaper(t);
      shared = openVenue(t, { clientOffset: 0 });
      await shared.broker.connect();
      const h = shared.broker.health();
      if (h.account !== t.account)
        throw new Error(`the TWS session reports account ${h.account?.slice(0, 2)}…, not the configured paper account`);
    } catch (e) {
      refused = (e as Error).message;
      await shared?.close().catch(() => undefined);
      shared = null;
      throw e;
    }
  });

  after(async function () {
    if (shared !== null) {
      await cancelAll(shared, t.timing.waitMs).catch(() => undefined);
      await shared.close();
    }
    rows.sort((a, b) => order(a.id) - order(b.id));
    if (t === undefined) return;
    // Nothing ran after a refused or failed start: every item is reported, as not run and why.
    for (const s of VALIDATION_SCENARIOS) {
      if (refused !== null && !rows.some((r) => r.id === s.id))
        rows.push({ id: s.id, title: s.title, seed: s.seed, outcome: 'fail', why: `not run: ${refused}`, ms: 0 });
    }
    const at = new Date().toISOString();
    const file = writeReport(t.reportDir ?? path.join('var', 'validation-report'), t.name, rows, at);
    console.log(`\n${renderTable(t.name, rows, at)}\n(written to ${file})`);
  });

  for (const s of VALIDATION_SCENARIOS) {
    it(`${s.id} ${s.title}`, async function () {
      const started = Date.now();
      const record = (outcome: ResultRow['outcome'], why: string): void => {
        rows.push({ id: s.id, title: s.title, seed: s.seed, outcome, why, ms: Date.now() - started });
      };
      if (shared === null) throw new Error('the suite did not connect (see the before-all hook)');
      // HARVESTER_VALIDATION_RUN_PENDING=1 runs a pending scenario anyway, to see it fail for its reason.
      const pending = process.env.HARVESTER_VALIDATION_RUN_PENDING === '1' ? undefined : s.pending;
      const skip = pending ?? (s.fakeOnly !== undefined && t.fake === undefined ? `fake TWS only: ${s.fakeOnly}` : undefined);
      if (skip !== undefined) {
        record('pending', skip);
        skipBecause(this, skip);
      }
      const deferred: Array<() => Promise<void> | void> = [];
      const venues: Venue[] = [];
      const proxies: LinkProxy[] = [];
      const notes: string[] = [];
      let own: Promise<number> | null = null;
      const port = (): Promise<number> => (own ??= t.fake ? t.fake.spawn().then((s) => s.port) : Promise.resolve(t.port));
      const ctx: ScenarioContext = {
        t,
        shared: () => shared!,
        port,
        open: async (o = {}) => {
          const { main, ...rest } = o;
          const v = openVenue(t, {
            clientOffset: nextOffset++,
            ...(main || rest.port !== undefined || !t.fake ? {} : { port: await port() }),
            ...rest,
          });
          venues.push(v);
          return v;
        },
        proxy: async (o = {}) => {
          const upstream = await port();
          const p = o.late
            ? await LinkProxy.reserve(t.fake ? '127.0.0.1' : t.host, upstream)
            : await LinkProxy.start(t.fake ? '127.0.0.1' : t.host, upstream);
          proxies.push(p);
          return p;
        },
        defer: (fn) => {
          deferred.push(fn);
        },
        note: (text) => {
          notes.push(text);
        },
      };
      try {
        await s.run(ctx);
        record('pass', notes.join('; '));
      } catch (e) {
        record('fail', (e as Error).message);
        throw e;
      } finally {
        for (const fn of deferred.reverse())
          await Promise.resolve()
            .then(fn)
            .catch(() => undefined);
        for (const v of venues) await v.close().catch(() => undefined);
        for (const p of proxies) await p.stop();
      }
    });
  }
}
