export { buildReport, type BuildReportOptions } from './build-report.js';
export { renderReportHtml, kpiRows } from './render-html.js';
export type { ReportModel, Kpis, TradeRecord } from './report-model.js';
