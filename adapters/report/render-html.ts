import { DateTime } from 'luxon';
import { formatMoney, fromPrice } from '../../core/domain/units.js';
import type { Kpis, ReportModel, TradeRecord } from './report-model.js';
import { PAGE_SCRIPT } from './page-script.js';
import { chartLibraries, TRADINGVIEW_ATTRIBUTION } from '../web/chart-libraries.js';

/** The KPI rows of the report, in the roadmap's order: [key, label, formatted value]. Also what `--json` prints. */
export function kpiRows(k: Kpis): [string, string, string][] {
  const pct = (x: number) => `${x.toFixed(1)} %`;
  const money = (m: number) => `$${formatMoney(m)}`;
  return [
    ['connectionUptimePct', 'Connection uptime', pct(k.connectionUptimePct)],
    ['disconnects', 'Disconnects', String(k.disconnects)],
    ['marketDataGaps', 'Market-data gaps', String(k.marketDataGaps)],
    [
      'medianMarketDataLatencyUs',
      'Median market-data latency',
      k.medianMarketDataLatencyUs === null ? 'n/a (no exchange time)' : `${(k.medianMarketDataLatencyUs / 1000).toFixed(3)} ms`,
    ],
    ['ordersSent', 'Orders sent', String(k.ordersSent)],
    ['ordersRejected', 'Orders rejected', String(k.ordersRejected)],
    ['ordersCancelled', 'Orders cancelled', String(k.ordersCancelled)],
    ['ordersFilled', 'Orders filled', String(k.ordersFilled)],
    ['fillRatio', 'Fill ratio', pct(100 * k.fillRatio)],
    ['avgSlippage', 'Average slippage ($/share, adverse +)', k.avgSlippage === null ? 'n/a' : `$${fromPrice(k.avgSlippage).toFixed(4)}`],
    ['trades', 'Trades (wins)', `${k.trades} (${k.wins})`],
    ['grossPnl', 'Gross PnL', money(k.grossPnl)],
    ['netPnl', 'Net PnL', money(k.netPnl)],
    ['commissions', 'Commissions', money(k.commissions)],
    ['maxDrawdown', 'Max intraday drawdown (realised)', money(k.maxDrawdown)],
    ['expectancyR', 'Expectancy (R per trade)', k.expectancyR === null ? 'n/a' : k.expectancyR.toFixed(3)],
    [
      'riskBreaches',
      'Risk breaches by type',
      Object.keys(k.riskBreaches).length === 0
        ? 'none'
        : Object.entries(k.riskBreaches)
            .map(([c, n]) => `${c} × ${n}`)
            .join(', '),
    ],
    ['killSwitchTransitions', 'Kill-switch transitions', String(k.killSwitchTransitions)],
    ['learningPromotions', 'Learning promotions', String(k.learningPromotions)],
    ['learningRejections', 'Learning rejections', String(k.learningRejections)],
    ['learningRollbacks', 'Learning rollbacks', String(k.learningRollbacks)],
    [
      'learningSuccessRate',
      'Learning update success rate',
      k.learningSuccessRate === null ? 'n/a (no learning updates)' : pct(100 * k.learningSuccessRate),
    ],
  ];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One self-contained HTML page: KPIs, charts, per-trade drill-downs; `compare` adds a second session's KPI column. */
export function renderReportHtml(model: ReportModel, compare?: ReportModel): string {
  const v = chartLibraries();
  const tz = model.session.timeZone;
  const at = (us: number): string => DateTime.fromMillis(Math.floor(us / 1000), { zone: tz }).toFormat('HH:mm:ss.SSS');
  const rowsA = kpiRows(model.kpis);
  const rowsB = compare ? new Map(kpiRows(compare.kpis).map(([key, , val]) => [key, val])) : null;
  const kpiTable = rowsA
    .map(
      ([key, label, val]) =>
        `<tr><th>${esc(label)}</th><td data-kpi="${key}">${esc(val)}</td>${rowsB ? `<td data-kpi-compare="${key}">${esc(rowsB.get(key) ?? '')}</td>` : ''}</tr>`,
    )
    .join('\n');
  const trades = model.trades.map((t) => tradeRow(t, at)).join('\n');
  const drill = model.trades
    .map((t) =>
      drillDown(
        t,
        at,
        model.windows.some((w) => w.tradeId === t.tradeId && w.columns.length > 0),
      ),
    )
    .join('\n');
  const promos = model.promotions
    .map(
      (p) =>
        `<tr><td>${at(p.at)}</td><td>${esc(p.version)}</td><td>${p.before.trades}</td><td>$${formatMoney(p.before.netPnl)}</td><td>${fmtR(p.before.expectancyR)}</td><td>${p.after.trades}</td><td>$${formatMoney(p.after.netPnl)}</td><td>${fmtR(p.after.expectancyR)}</td></tr>`,
    )
    .join('\n');
  const notes = model.notes.map((n) => `<li>${esc(n)}</li>`).join('');
  const json = JSON.stringify(model).replace(/</g, '\\u003c');
  const s = model.session;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>Harvester report — ${esc(s.id)}</title>
<style>${v.uplotCss}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}.pos{color:#1b7f3b}.neg{color:#b3261e}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}.chart{min-height:200px}
details{margin:10px 0;border:1px solid #ddd;padding:6px 10px}canvas{width:100%;display:block}
.trail td{font-size:12px}.attr{color:#666;font-size:12px}
</style></head><body>
<h1>Harvester daily report — ${esc(s.id)}</h1>
<p>${esc(s.date)} · ${esc(s.mode)} · strategy ${esc(s.strategy)} · status ${esc(s.status)} · times in ${esc(tz)}</p>
<h2>KPIs</h2>
<table id="kpis"><tr><th></th><th>${esc(s.id)} (${esc(s.mode)})</th>${compare ? `<th>${esc(compare.session.id)} (${esc(compare.session.mode)})</th>` : ''}</tr>
${kpiTable}
</table>
${notes ? `<h2>Notes</h2><ul id="notes">${notes}</ul>` : ''}
<h2>Price</h2><div id="chart-price" class="chart"></div>
<div class="grid"><div id="chart-equity" class="chart"></div><div id="chart-r" class="chart"></div>
<div id="chart-mae" class="chart"></div><div id="chart-exits" class="chart"></div><div id="chart-slippage" class="chart"></div></div>
<h2>Trades</h2>
<table id="trades"><tr><th>trade</th><th>side</th><th>qty</th><th>entry</th><th>exit</th><th>entry $</th><th>exit $</th><th>stop $</th><th>net $</th><th>R</th><th>MAE R</th><th>MFE R</th><th>exit reason</th></tr>
${trades}
</table>
${model.promotions.length ? `<h2>Before and after each promotion</h2><table id="promotions"><tr><th>at</th><th>version</th><th>trades before</th><th>net before</th><th>R before</th><th>trades after</th><th>net after</th><th>R after</th></tr>${promos}</table>` : ''}
<h2>Per-trade drill-down</h2>
${drill}
<p class="attr">${esc(TRADINGVIEW_ATTRIBUTION)} Dense series: uPlot.</p>
<script id="hv-model" type="application/json">${json}</script>
<script>${v.uplotJs}</script>
<script>${v.lightweightChartsJs}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

const fmtR = (r: number | null): string => (r === null ? 'n/a' : r.toFixed(2));

function tradeRow(t: TradeRecord, at: (us: number) => string): string {
  const cls = t.netPnl >= 0 ? 'pos' : 'neg';
  const price = (p: number | null) => (p === null ? 'n/a' : fromPrice(p).toFixed(4));
  return `<tr data-trade="${esc(t.tradeId)}"><td><a href="#drill-${esc(t.tradeId)}">${esc(t.tradeId)}</a></td><td>${t.side}</td><td class="num">${t.quantity}</td><td>${at(t.entryTime)}</td><td>${at(t.exitTime)}</td><td class="num">${price(t.entryPrice)}</td><td class="num">${price(t.exitPrice)}</td><td class="num">${price(t.stopPrice)}</td><td class="num ${cls}" data-net>${formatMoney(t.netPnl)}</td><td class="num">${fmtR(t.r)}</td><td class="num">${fmtR(t.maeR)}</td><td class="num">${fmtR(t.mfeR)}</td><td>${esc(t.exitReason)}</td></tr>`;
}

function drillDown(t: TradeRecord, at: (us: number) => string, hasBook: boolean): string {
  const trail = t.trail
    .map(
      (s) =>
        `<tr><td>${at(s.time)}</td><td>${esc(s.stage)}</td><td>${esc(s.outcome)}</td><td>${s.passed} passed${s.failed.length ? `; failed: ${esc(s.failed.map((g) => `${g.name}=${String(g.value)}${g.threshold === undefined ? '' : ` (thr ${String(g.threshold)})`}`).join(', '))}` : ''}</td><td>${esc(s.note)}</td><td>${s.memoryVersion === null ? '' : `v${s.memoryVersion}`}</td></tr>`,
    )
    .join('');
  return `<details id="drill-${esc(t.tradeId)}" open><summary>${esc(t.tradeId)} · ${t.side} ${t.quantity} · ${at(t.entryTime)} → ${at(t.exitTime)} · net $${formatMoney(t.netPnl)} · ${esc(t.exitReason)}</summary>
${hasBook ? `<canvas id="heat-${esc(t.tradeId)}"></canvas>` : '<p>No recording of this window: no book heatmap.</p>'}
<table class="trail"><tr><th>time</th><th>stage</th><th>outcome</th><th>gates</th><th>note</th><th>memory</th></tr>${trail}</table></details>`;
}
