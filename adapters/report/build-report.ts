import { HarvesterError } from '../../core/errors/harvester-error.js';
import type { Journal } from '../../ports/journal.js';
import { readMarket } from './market-window.js';
import type { ReportModel } from './report-model.js';
import { promotionDeltas, sessionKpis } from './session-kpis.js';
import { tradeRecords } from './trade-records.js';
import { sessionRecordings } from './locate-recordings.js';

export interface BuildReportOptions {
  /** Recordings for the drill-down; by default the ones the session's stored config names. */
  recordings?: string[];
  dataDir: string;
  /** Skip reading market data (KPIs and trades only). */
  noMarket?: boolean;
}

/** Everything the report shows, computed from the journal (and the session's recordings for prices and the book). */
export async function buildReport(journal: Journal, sessionId: string, o: BuildReportOptions): Promise<ReportModel> {
  const meta = await journal.session(sessionId);
  if (meta === null)
    throw new HarvesterError('CONFIG.INVALID', `no session '${sessionId}' in this store (see \`harvester sessions\`)`, {
      details: { path: 'session' },
    });
  // All kinds in append order: an order's request row always precedes its fills.
  const rows = await journal.entries(sessionId);
  const config = meta.config as { session?: { date: string; timeZone: string }; instruments?: { symbol: string; tick: number }[] };
  const trades = tradeRecords(rows);
  const end = meta.endedAt ?? (rows.length > 0 ? rows[rows.length - 1]!.time : meta.startedAt);
  const kpis = sessionKpis(rows, trades, { start: meta.startedAt, end });
  const notes: string[] = [];
  let market: ReportModel['market'] = null;
  let windows: ReportModel['windows'] = [];
  const symbol = trades[0]?.symbol ?? config.instruments?.[0]?.symbol;
  if (!o.noMarket && symbol !== undefined) {
    const located = o.recordings !== undefined ? { files: o.recordings, note: null } : sessionRecordings(meta.config, o.dataDir);
    if (located.note !== null) notes.push(located.note);
    if (located.files.length > 0) {
      const read = await readMarket(located.files, symbol, trades);
      market = read.market;
      windows = read.windows;
      kpis.medianMarketDataLatencyUs = read.medianLatencyUs;
      if (read.corruptBlocks > 0) notes.push(`${read.corruptBlocks} corrupt recording block(s) skipped while drawing the charts`);
    }
  }
  let equity = 0;
  const curve = [
    { t: meta.startedAt, netPnl: 0 },
    ...trades
      .slice()
      .sort((a, b) => a.exitTime - b.exitTime)
      .map((t) => ({ t: t.exitTime, netPnl: (equity += t.netPnl) })),
  ];
  const exitReasons: Record<string, number> = {};
  for (const t of trades) exitReasons[t.exitReason] = (exitReasons[t.exitReason] ?? 0) + 1;
  const tickDollars = config.instruments?.find((i) => i.symbol === symbol)?.tick ?? 0.01;
  return {
    session: {
      id: sessionId,
      mode: meta.mode,
      strategy: meta.strategy,
      status: meta.status,
      startedAt: meta.startedAt,
      endedAt: meta.endedAt,
      timeZone: config.session?.timeZone ?? 'America/New_York',
      date: config.session?.date ?? '',
    },
    kpis,
    trades,
    equity: curve,
    exitReasons,
    promotions: promotionDeltas(rows, trades),
    market,
    windows,
    notes,
    tick: Math.round(tickDollars * 10_000),
  };
}
