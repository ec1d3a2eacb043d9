/**
 * The report page's own script, run in the browser after uPlot and Lightweight Charts are inlined. It reads the
 * embedded model (integer prices ÷ 10,000, µs times) and draws: the session price with trade markers, the equity
 * curve, R per trade, the MAE/MFE scatter, the exit-reason and slippage distributions, and one book heatmap per trade.
 * Plain ES2020 in a string: the page must open with no network and no build step.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  const M = JSON.parse(document.getElementById('hv-model').textContent);
  const tz = M.session.timeZone;
  const P = (p) => p / 10000;
  const sec = (us) => us / 1e6;
  const fmtTime = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const hhmmss = (s) => fmtTime.format(new Date(s * 1000));
  const width = (el) => Math.max(320, el.clientWidth || 900);
  const axisTime = { values: (u, splits) => splits.map((s) => hhmmss(s)) };
  const done = [];

  function plot(id, opts, data) {
    const el = document.getElementById(id);
    if (!el) return;
    opts.width = width(el);
    opts.height = opts.height || 220;
    new uPlot(opts, data, el);
    done.push(id);
  }

  // Session price with entries, exits and stops.
  const priceEl = document.getElementById('chart-price');
  if (priceEl && M.market && M.market.times.length > 0) {
    const chart = LightweightCharts.createChart(priceEl, {
      width: width(priceEl), height: 320, layout: { attributionLogo: true },
      localization: { timeFormatter: (t) => hhmmss(t) },
      timeScale: { timeVisible: true, secondsVisible: true, tickMarkFormatter: (t) => hhmmss(t).slice(0, 5) },
    });
    const line = chart.addSeries(LightweightCharts.LineSeries, { lineWidth: 1, priceFormat: { type: 'price', precision: 3, minMove: 0.001 } });
    const pts = [];
    let last = -1;
    for (let i = 0; i < M.market.times.length; i++) {
      const t = Math.floor(sec(M.market.times[i]));
      if (t <= last) continue;
      pts.push({ time: t, value: P(M.market.mids[i]) });
      last = t;
    }
    line.setData(pts);
    const markers = [];
    for (const tr of M.trades) {
      markers.push({ time: Math.floor(sec(tr.entryTime)), position: 'belowBar', color: '#1b7f3b', shape: 'arrowUp', text: 'entry ' + tr.tradeId });
      markers.push({ time: Math.floor(sec(tr.exitTime)), position: 'aboveBar', color: tr.netPnl >= 0 ? '#1f5fbf' : '#b3261e', shape: 'arrowDown', text: 'exit ' + tr.exitReason });
      if (tr.stopPrice !== null) line.createPriceLine({ price: P(tr.stopPrice), color: '#b3261e', lineWidth: 1, lineStyle: 2, title: 'stop ' + tr.tradeId });
    }
    markers.sort((a, b) => a.time - b.time);
    LightweightCharts.createSeriesMarkers(line, markers);
    chart.timeScale().fitContent();
    done.push('chart-price');
  }

  if (M.equity.length > 0) {
    plot('chart-equity', { title: 'Equity (realised net PnL, $)', scales: { x: { time: false } }, axes: [axisTime, {}],
      series: [{}, { label: 'net PnL', stroke: '#1f5fbf', width: 2 }] },
      [M.equity.map((p) => sec(p.t)), M.equity.map((p) => P(p.netPnl))]);
  }

  const withR = M.trades.filter((t) => t.r !== null);
  if (withR.length > 0) {
    plot('chart-r', { title: 'R per trade', scales: { x: { time: false } }, axes: [{ splits: () => withR.map((t, i) => i + 1), values: (u, s) => s.map((v) => '#' + v) }, {}],
      series: [{}, { label: 'R', stroke: '#333', fill: 'rgba(31,95,191,0.35)', paths: uPlot.paths.bars({ size: [0.6, 60] }) }] },
      [withR.map((t, i) => i + 1), withR.map((t) => t.r)]);
  }

  const withMae = M.trades.filter((t) => t.maeR !== null && t.mfeR !== null);
  if (withMae.length > 0) {
    const order = withMae.map((t, i) => i).sort((a, b) => withMae[a].maeR - withMae[b].maeR);
    plot('chart-mae', { title: 'MAE vs MFE (R)', mode: 1, scales: { x: { time: false } },
      series: [{ label: 'MAE R' }, { label: 'MFE R', stroke: '#b3261e', width: 0, points: { show: true, size: 9, fill: '#b3261e' } }] },
      [order.map((i) => withMae[i].maeR), order.map((i) => withMae[i].mfeR)]);
  }

  const reasons = Object.keys(M.exitReasons);
  if (reasons.length > 0) {
    plot('chart-exits', { title: 'Exit reasons', height: 200, scales: { x: { time: false } }, axes: [{ splits: () => reasons.map((r, i) => i), values: (u, s) => s.map((v) => reasons[v] || '') }, {}],
      series: [{}, { label: 'trades', stroke: '#333', fill: 'rgba(27,127,59,0.4)', paths: uPlot.paths.bars({ size: [0.5, 80] }) }] },
      [reasons.map((r, i) => i), reasons.map((r) => M.exitReasons[r])]);
  }

  const slips = M.trades.map((t) => t.entrySlippage).filter((s) => s !== null).map(P);
  if (slips.length > 0) {
    const lo = Math.min.apply(null, slips), hi = Math.max.apply(null, slips);
    const bins = 10, w = (hi - lo) / bins || 0.01;
    const xs = [], ys = [];
    for (let b = 0; b < bins; b++) { xs.push(lo + (b + 0.5) * w); ys.push(0); }
    for (const s of slips) ys[Math.min(bins - 1, Math.floor((s - lo) / w))]++;
    plot('chart-slippage', { title: 'Entry slippage ($/share, adverse +)', height: 200, scales: { x: { time: false } },
      series: [{}, { label: 'fills', stroke: '#333', fill: 'rgba(179,38,30,0.35)', paths: uPlot.paths.bars({ size: [0.9, 60] }) }] }, [xs, ys]);
  }

  // One heatmap per trade: columns of visible levels, darker = more shares; mid, entry, stop, target and exit drawn on top.
  for (const w of M.windows) {
    const canvas = document.getElementById('heat-' + w.tradeId);
    const tr = M.trades.find((t) => t.tradeId === w.tradeId);
    if (!canvas || !tr || w.columns.length === 0) continue;
    const W = canvas.width = width(canvas.parentElement), H = canvas.height = 260;
    const g = canvas.getContext('2d');
    let pmin = Infinity, pmax = -Infinity, smax = 1;
    for (const c of w.columns) for (const [p, s] of c.levels) { pmin = Math.min(pmin, p); pmax = Math.max(pmax, p); smax = Math.max(smax, s); }
    for (const p of [tr.entryPrice, tr.exitPrice, tr.stopPrice, tr.targetPrice]) if (p !== null) { pmin = Math.min(pmin, p); pmax = Math.max(pmax, p); }
    const tick = M.tick || 100;
    const rows = Math.max(1, Math.round((pmax - pmin) / tick) + 1);
    const x = (t) => ((t - w.from) / Math.max(1, w.to - w.from)) * W;
    const y = (p) => H - ((p - pmin) / Math.max(tick, pmax - pmin + tick)) * H - H / rows / 2;
    const cw = Math.max(1, W / w.columns.length + 1), rh = Math.max(1, H / rows);
    g.fillStyle = '#fff'; g.fillRect(0, 0, W, H);
    for (const c of w.columns) {
      for (const [p, s] of c.levels) {
        const a = Math.min(1, 0.08 + Math.sqrt(s / smax));
        g.fillStyle = p <= c.bid ? 'rgba(27,127,59,' + a + ')' : 'rgba(179,38,30,' + a + ')';
        g.fillRect(x(c.t), y(p) - rh / 2, cw, rh);
      }
    }
    g.strokeStyle = '#111'; g.lineWidth = 1.5; g.beginPath();
    w.columns.forEach((c, i) => { const yy = y((c.bid + c.ask) / 2); if (i === 0) g.moveTo(x(c.t), yy); else g.lineTo(x(c.t), yy); });
    g.stroke();
    const hline = (p, color, label) => { if (p === null) return; g.strokeStyle = color; g.setLineDash([6, 4]); g.beginPath(); g.moveTo(0, y(p)); g.lineTo(W, y(p)); g.stroke(); g.setLineDash([]); g.fillStyle = color; g.fillText(label + ' ' + P(p).toFixed(2), 4, y(p) - 3); };
    hline(tr.stopPrice, '#b3261e', 'stop'); hline(tr.targetPrice, '#1f5fbf', 'target');
    const mark = (t, p, color, label) => { g.fillStyle = color; g.beginPath(); g.arc(x(t), y(p), 5, 0, 7); g.fill(); g.fillText(label, x(t) + 7, y(p) + 4); };
    mark(tr.entryTime, tr.entryPrice, '#1b7f3b', 'entry'); mark(tr.exitTime, tr.exitPrice, '#000', 'exit (' + tr.exitReason + ')');
    done.push('heat-' + w.tradeId);
  }
  document.body.dataset.rendered = done.join(' ');
})();
`;
