import Database from 'better-sqlite3';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import type { LmpStrategy } from '../../strategies/lmp/lmp.strategy.js';
import defaults from '../../harvester.config.js';
import type { JournalEntry } from '../../ports/journal.js';
import { protectionGaps } from '../support/protection-check.js';

/**
 * #11 item 9, as found: replay of the generated seed-5 day over the whole session (09:30–16:00, LMP trading all of
 * it, up to 100 entries) into a real SQLite journal. An entry filled 500 of 754, LMP's tape-flip close went out for
 * 500 in the same microsecond as the other 254 filled, the bracket's stop and target were then cancelled, and 254
 * shares sat without a stop until the session-end flatten 3.4 hours later with LMP stuck in `exiting`.
 */
describe('LMP over the seed-5 full day: every open share stays protected (integration, real SQLite)', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-seed5-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has no moment with an open share and no protective order; LMP closes its own trades and ends flat and idle', async () => {
    const input = {
      ...defaults,
      seed: 5,
      session: { ...defaults.session, start: '09:30', end: '16:00' },
      store: { use: 'typeorm', params: { driver: 'sqlite', file: path.join(tmp, 's5.sqlite') } },
      dataDir: tmp,
      strategies: [{ use: 'lmp', params: { symbol: 'HRVST', maxEntries: 100, session: { start: '09:30', end: '16:00' } } }],
    };
    const resolved = await resolveConfig(input, { builtins: await builtinPlugins(), baseDir: path.resolve(import.meta.dirname, '../..') });
    const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
    const runtime = await createHarvester(resolved, { sessionId: 'seed5', wallStartedAt: 'x', log: quiet });
    const result = await runtime.engine.run();
    const lmp = runtime.engine.strategies[0] as LmpStrategy;
    const working = runtime.engine.orders.registry.workingOrderCount;
    await runtime.close();
    const rows = readJournal(path.join(tmp, 's5.sqlite'));

    expect(result.status).to.equal('completed');
    // The scenario itself: an entry that filled in parts while LMP decided to exit.
    const partials = rows.filter(
      (r) => r.type === 'order.filled' && (r.data as { status: string }).status === 'PartiallyFilled' && r.coid?.endsWith('.p'),
    );
    expect(partials.length, 'partly filled entries').to.be.greaterThan(0);

    const monitor = protectionGaps(rows);
    expect(monitor.gaps.slice(0, 3), 'moments with uncovered shares').to.deep.equal([]);
    expect(monitor.positionOf('HRVST'), 'flat at the end').to.equal(0);

    // LMP closes every trade itself (no session-end flatten picks up a forgotten remainder), each soon after it
    // decided to exit, and ends scanning.
    const closed = rows
      .filter((r) => r.type === 'trade.closed')
      .map((r) => r.data as { tradeId: string; exitReason: string; exitTime: number });
    expect(closed.length).to.be.greaterThan(3);
    expect(
      closed.filter((t) => t.exitReason === 'kill-switch').map((t) => t.tradeId),
      'closed by the session-end flatten',
    ).to.deep.equal([]);
    for (const exit of rows.filter((r) => r.type === 'decision.exit')) {
      const t = closed.find((c) => c.tradeId === exit.tradeId);
      expect(t, `trade ${exit.tradeId} closed`).to.not.equal(undefined);
      expect(t!.exitTime - exit.time, `trade ${exit.tradeId}: exit decision to close`).to.be.lessThan(60_000_000);
    }
    expect(rows.some((r) => r.type === 'decision.closed' && (r.data as { outcome: string }).outcome === 'assumed-flat')).to.equal(false);
    expect(['scanning', 'armed'], 'LMP idle (no order, no position)').to.include(lmp.phase);
    expect(working, 'working orders at the end').to.equal(0);
  });
});

interface Row {
  ordinal: number;
  loop_seq: number;
  time: number;
  type: string;
  coid: string | null;
  trade_id: string | null;
  data: string;
}

/** Every journal row of the file in append order, read with plain SQL. */
function readJournal(file: string): JournalEntry[] {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db
        .prepare(
          `select name from sqlite_master where type = 'table' and name like 'hv_%' and name not in ('hv_sessions', 'hv_memory_versions', 'hv_checkpoints')`,
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    const rows: Row[] = [];
    for (const t of tables)
      rows.push(...(db.prepare(`select ordinal, loop_seq, time, type, coid, trade_id, data from ${t}`).all() as Row[]));
    rows.sort((a, b) => a.ordinal - b.ordinal);
    return rows.map((r) => {
      const e: JournalEntry = {
        kind: 'event',
        loopSeq: r.loop_seq,
        time: Number(r.time),
        type: r.type as JournalEntry['type'],
        data: JSON.parse(r.data) as Record<string, unknown>,
      };
      if (r.coid !== null) e.coid = r.coid;
      if (r.trade_id !== null) e.tradeId = r.trade_id;
      return e;
    });
  } finally {
    db.close();
  }
}
