import { chartLibraries, TRADINGVIEW_ATTRIBUTION } from '../web/chart-libraries.js';

/**
 * The dashboard page: one HTML document with its script inline (the server's CSP allows nothing else). It opens the
 * websocket for state, draws the live price with fills and stops, and sends buttons to POST /api/control with the
 * session cookie. Prices arrive as integer ten-thousandths and times as µs, and are shown in dollars and in the
 * session's time zone.
 */
export function dashboardPage(): string {
  const lib = chartLibraries();
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harvester dashboard</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#111}
header{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.badge{padding:4px 10px;border-radius:4px;font-weight:600;color:#fff;background:#1b7f3b}
.badge.SAFE_MODE{background:#b36b00}.badge.HALT{background:#b3261e}
button{font:inherit;padding:6px 12px;margin-right:6px;cursor:pointer}
button.danger{border-color:#b3261e;color:#b3261e}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px;margin-top:12px}
section{border:1px solid #ddd;padding:8px 12px;border-radius:4px}h2{font-size:15px;margin:2px 0 8px}
table{border-collapse:collapse;width:100%}td,th{padding:2px 6px;border-bottom:1px solid #eee;text-align:left;font-size:13px}
.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}.pos{color:#1b7f3b}.neg{color:#b3261e}
#msg{min-height:1.4em}
</style></head><body>
<header>
  <strong id="session">Harvester</strong>
  <span id="state" class="badge">…</span>
  <span id="reason" class="muted"></span>
  <span id="conn" class="muted"></span>
  <span id="clock" class="muted"></span>
</header>
<p>
  <button id="btn-pause" data-cmd="pause">Pause entries</button>
  <button id="btn-resume" data-cmd="resume">Resume</button>
  <select id="symbol"></select><button id="btn-pause-symbol" data-cmd="pause-symbol">Pause symbol</button>
  <button id="btn-flatten" class="danger" data-cmd="flatten" title="Cancels working orders, closes every position and pauses entries">Flatten (and pause)</button>
  <button id="btn-halt" class="danger" data-cmd="halt">Halt</button>
  <button id="btn-clear" data-cmd="clear">Clear halt…</button>
</p>
<div id="msg" role="status"></div>
<section><h2>Price</h2><div id="chart" style="height:300px"></div><p class="muted" style="font-size:11px">${TRADINGVIEW_ATTRIBUTION}</p></section>
<div class="grid">
  <section><h2>Day PnL and risk limits</h2><table id="pnl"></table><ul id="limits" class="muted"></ul></section>
  <section><h2>Positions</h2><table id="positions"></table></section>
  <section><h2>Working orders</h2><table id="orders"></table></section>
  <section><h2>Market data</h2><table id="data"></table><p id="memory" class="muted"></p></section>
  <section><h2>Last decisions</h2><table id="decisions"></table></section>
  <section><h2>Alerts and operator actions</h2><table id="alerts"></table><table id="operator"></table></section>
</div>
<script>${lib.lightweightChartsJs}</script>
<script>
(function () {
  let S = null, chart = null, line = null, markersApi = null, priceLines = [], chartSymbol = null;
  const $ = (id) => document.getElementById(id);
  const usd = (m) => (m < 0 ? '-$' : '$') + Math.abs(m / 10000).toFixed(2);
  const px = (p) => (p / 10000).toFixed(2);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const tfmt = () => new Intl.DateTimeFormat('en-US', { timeZone: S.session.timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const at = (us) => tfmt().format(new Date(us / 1000));
  const age = (ms) => ms < 10000 ? ms + ' ms' : ms < 3.6e6 ? (ms / 1000).toFixed(0) + ' s' : ms < 8.64e7 ? (ms / 3.6e6).toFixed(1) + ' h' : (ms / 8.64e7).toFixed(0) + ' days (recorded data)';
  const rows = (id, head, list) => { $(id).innerHTML = (head ? '<tr>' + head.map((h) => '<th>' + h + '</th>').join('') + '</tr>' : '') + list.map((r) => '<tr>' + r.map((c) => '<td>' + c + '</td>').join('') + '</tr>').join(''); };

  function render() {
    $('session').textContent = S.session.id + ' · ' + S.session.mode + ' · ' + S.session.strategy;
    const st = $('state'); st.textContent = S.killSwitch.state; st.className = 'badge ' + S.killSwitch.state; st.dataset.state = S.killSwitch.state;
    const last = S.killSwitch.last;
    $('reason').textContent = S.killSwitch.state !== 'RUNNING' && last ? 'why: ' + last.code + (last.message ? ' — ' + last.message : '') + ' (by ' + last.by + ')' : (S.paused.length ? 'entries paused: ' + S.paused.join(', ') : '');
    $('reason').dataset.paused = S.paused.join(',');
    $('conn').textContent = 'broker ' + (S.connection ? S.connection.state : 'unknown');
    $('clock').textContent = at(S.session.now) + ' ' + S.session.timeZone;
    const p = S.pnl;
    rows('pnl', null, [['realised', '<span class="' + (p.realized < 0 ? 'neg' : 'pos') + '">' + usd(p.realized) + '</span>'], ['unrealised', usd(p.unrealized)], ['day', usd(p.daily)], ['equity', usd(p.equity)]]);
    $('limits').innerHTML = S.limits.map((l) => '<li>' + esc(l) + '</li>').join('');
    rows('positions', ['symbol', 'qty', 'avg', 'realised'], S.positions.map((x) => [esc(x.symbol), '<span class="num">' + x.quantity + '</span>', px(x.averagePrice), usd(x.realizedPnl)]));
    rows('orders', ['order', 'symbol', 'role', 'side', 'qty', 'filled', 'stop'], S.workingOrders.map((o) => [esc(o.coid), esc(o.symbol), o.role, o.side, o.quantity, o.filled, o.stop === null ? '' : px(o.stop)]));
    rows('data', ['symbol', 'bid', 'ask', 'age'], S.data.map((d) => [esc(d.symbol), px(d.bid), px(d.ask), d.ageMs === null ? 'no data' : age(d.ageMs)]));
    $('memory').textContent = S.memory ? 'memory v' + S.memory.version : 'memory: static (no learned version)';
    rows('decisions', ['time', 'symbol', 'decision'], S.decisions.map((d) => [at(d.time), esc(d.symbol || ''), esc(d.text)]));
    rows('alerts', ['alert', 'level', ''], S.alerts.map((a) => [esc(a.type), a.level, esc(a.title)]));
    rows('operator', ['operator', ''], S.operator.map((o) => [at(o.time), esc(o.text)]));
    const sel = $('symbol');
    if (sel.options.length !== S.data.length) sel.innerHTML = S.data.map((d) => '<option>' + esc(d.symbol) + '</option>').join('');
    drawChart();
    document.body.dataset.ready = '1';
  }

  function drawChart() {
    const c = S.chart[0];
    if (!c) return;
    if (chart === null) {
      chart = LightweightCharts.createChart($('chart'), { height: 300, layout: { attributionLogo: true }, timeScale: { timeVisible: true, secondsVisible: true },
        localization: { timeFormatter: (t) => tfmt().format(new Date(t * 1000)) } });
      line = chart.addSeries(LightweightCharts.LineSeries, { lineWidth: 1 });
      markersApi = LightweightCharts.createSeriesMarkers(line, []);
      chartSymbol = c.symbol;
    }
    line.setData(c.points.map((p) => ({ time: p[0], value: p[1] / 10000 })));
    markersApi.setMarkers(c.markers.map((m) => ({ time: Math.floor(m.time / 1e6), position: m.kind === 'buy' ? 'belowBar' : 'aboveBar', color: m.kind === 'buy' ? '#1b7f3b' : '#b3261e', shape: m.kind === 'buy' ? 'arrowUp' : 'arrowDown', text: m.text }))
      .filter((m) => c.points.length > 0 && m.time >= c.points[0][0]).sort((a, b) => a.time - b.time));
    for (const l of priceLines) line.removePriceLine(l);
    priceLines = c.stops.map((s) => line.createPriceLine({ price: s / 10000, color: '#b3261e', lineStyle: 2, lineWidth: 1, title: 'stop' }));
  }

  async function send(cmd) {
    const body = { command: cmd };
    if (cmd === 'pause-symbol') body.symbol = $('symbol').value;
    if (cmd === 'flatten' && !confirm('Flatten: cancel working orders, close every position and pause entries?')) return;
    if (cmd === 'halt' && !confirm('Halt: flatten and stop all trading until cleared?')) return;
    if (cmd === 'clear') { const note = prompt('Why is it safe to clear the halt? (journaled)'); if (!note) return; body.note = note; }
    const res = await fetch('/api/control', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const r = await res.json();
    $('msg').textContent = cmd + ': ' + (r.ok ? 'done — state ' + r.state + (cmd === 'flatten' ? ' (entries paused; resume when ready)' : '') : 'refused — ' + (r.reasons || []).map((x) => typeof x === 'string' ? x : x.code + ' ' + (x.message || '')).join('; '));
    $('msg').dataset.last = cmd + ':' + (r.ok ? 'ok' : 'refused');
  }
  for (const b of document.querySelectorAll('button[data-cmd]')) b.addEventListener('click', () => send(b.dataset.cmd));

  function connect() {
    const ws = new WebSocket('ws://' + location.host + '/api/stream');
    ws.onmessage = (e) => { S = JSON.parse(e.data); render(); };
    ws.onclose = () => { $('conn').textContent = 'dashboard disconnected (session ended?)'; setTimeout(connect, 2000); };
  }
  connect();
})();
</script></body></html>`;
}
