import type { TrainingSample } from '../../ports/learner.js';
import { knownAtOf } from '../../ports/feature-spec.js';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import defaults from '../../harvester.config.js';

interface Row {
  trade_id: string | null;
  type: string;
  coid: string | null;
  data: string;
}

/**
 * LMP over the default generated day (harvester.config.ts, seed 42, 09:30–11:15) through the whole framework into a
 * real SQLite file; the journal is then read back with plain SQL, as an auditor would.
 */
describe('LMP trades the default generated day (integration, real SQLite)', function () {
  this.timeout(120_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-lmp-day-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function session(name: string) {
    const file = path.join(tmp, `${name}.sqlite`);
    const input = { ...defaults, store: { use: 'typeorm', params: { driver: 'sqlite', file } }, dataDir: tmp };
    const resolved = await resolveConfig(input, { builtins: await builtinPlugins(), baseDir: path.resolve(import.meta.dirname, '../..') });
    const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
    const runtime = await createHarvester(resolved, { sessionId: name, wallStartedAt: 'x', log: quiet });
    const result = await runtime.engine.run();
    await runtime.close();
    return { result, file };
  }

  it('closes trades, each with a bracket, a decision trail and the §6.2 feature snapshots; twice the same journal', async () => {
    const { result, file } = await session('a');
    expect(defaults.strategies[0]!.use).to.equal('lmp');
    expect(result.status).to.equal('completed');
    expect(result.trades).to.be.greaterThan(0);

    const db = new Database(file, { readonly: true });
    try {
      const closed = db.prepare(`select trade_id, type, coid, data from hv_trades where type = 'trade.closed'`).all() as Row[];
      expect(closed).to.have.length(result.trades);
      for (const t of closed) {
        const id = t.trade_id!;
        const orders = db
          .prepare('select trade_id, type, coid, data from hv_orders where trade_id = ? and type = ?')
          .all(id, 'order.requested') as Row[];
        const legs = orders.map((o) => JSON.parse(o.data) as { role: string; bracketId?: string; parentCoid?: string; ocaGroup?: string });
        const entry = legs.find((l) => l.role === 'entry');
        expect(entry, `${id}: entry leg`).to.not.equal(undefined);
        const children = legs.filter((l) => l.bracketId === entry!.bracketId && l.role !== 'entry');
        expect(children.map((c) => c.role).sort(), `${id}: bracket children`).to.deep.equal(['stop-loss', 'take-profit']);
        expect(new Set(children.map((c) => c.ocaGroup)).size, `${id}: one OCA group`).to.equal(1);

        const decisions = db.prepare('select trade_id, type, coid, data from hv_decisions where trade_id = ?').all(id) as Row[];
        const stages = decisions.map((d) => d.type);
        expect(stages, `${id}: decision trail`).to.include.members(['decision.entry', 'decision.closed']);
        const entryDecision = JSON.parse(decisions.find((d) => d.type === 'decision.entry')!.data) as {
          gates: Record<string, { pass: boolean }>;
        };
        expect(
          Object.values(entryDecision.gates).every((g) => g.pass),
          `${id}: every trigger gate passed at entry`,
        ).to.equal(true);

        const snaps = db
          .prepare(`select trade_id, type, coid, data from hv_training_samples where trade_id = ? and type = 'feature.snapshot'`)
          .all(id) as Row[];
        const labels = snaps.map((s) => (JSON.parse(s.data) as { label: string }).label);
        expect(labels, `${id}: snapshots`).to.include.members(['T-3s', 'T-1s', 'entry', 'exit']);
        for (const s of snaps) {
          const f = (JSON.parse(s.data) as { features: Record<string, number> }).features;
          for (const k of ['imbalance', 'tapeImbalance', 'spread', 'mid', 'bidSize1', 'askSize1', 'shelfPrice', 'stopPrice', 'tp1Price']) {
            expect(f, `${id}: feature ${k}`).to.have.property(k);
          }
        }
        // One labelled training sample per closed trade, its R on the planned risk and its vector decision-first.
        const samples = db.prepare(`select data from hv_training_samples where trade_id = ? and type = 'training.sample'`).all(id) as {
          data: string;
        }[];
        expect(samples, `${id}: training samples`).to.have.length(1);
        const sample = JSON.parse(samples[0]!.data) as TrainingSample;
        const trade = JSON.parse(t.data) as { netPnl: number; quantity: number };
        expect(sample.synthetic, `${id}: a real trade`).to.equal(false);
        expect(sample.label.win, `${id}: win is R > 0`).to.equal(sample.label.r > 0);
        expect(Math.sign(sample.label.r), `${id}: R has the sign of the net PnL`).to.equal(Math.sign(trade.netPnl));
        expect(sample.label.mae, `${id}: MAE ≤ 0`).to.be.at.most(0);
        expect(sample.label.mfe, `${id}: MFE ≥ 0`).to.be.at.least(0);
        expect(
          sample.featureNames.filter((n) => knownAtOf(n) === null),
          `${id}: every column declares when it is known`,
        ).to.deep.equal([]);
        expect(sample.featureNames, `${id}: decision columns`).to.include.members([
          'tm3s.imbalance',
          'tm1s.imbalance',
          'dec.imbalance',
          'd3.imbalance',
          'd1.imbalance',
          'fill.slippageTicks',
          'p5s.markoutTicks',
        ]);
      }
      const all = (db.prepare(`select data from hv_training_samples where type = 'training.sample'`).all() as { data: string }[]).map(
        (r) => JSON.parse(r.data) as TrainingSample,
      );
      const ghosts = all.filter((x) => x.synthetic);
      expect(ghosts.length, 'ghost-labelled triggers not taken (caps, cooldowns, denials)').to.be.greaterThan(0);
      for (const g of ghosts) expect(g.weight, 'synthetic weight').to.equal(0.5);
    } finally {
      db.close();
    }

    const again = await session('b');
    expect(again.result.journalSha256).to.equal(result.journalSha256);
  });
});
