import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChartLibraries {
  uplotJs: string;
  uplotCss: string;
  lightweightChartsJs: string;
}

let cached: ChartLibraries | null = null;

/**
 * uPlot and TradingView's Lightweight Charts as text, for pages that must work with no network (the report file, the
 * loopback dashboard under a CSP that allows only inline scripts). Both packages keep their browser builds beside
 * their entry points, outside their "exports" maps, so they are found from the resolved entry.
 */
export function chartLibraries(): ChartLibraries {
  if (cached !== null) return cached;
  const dist = (pkg: string): string => path.dirname(fileURLToPath(import.meta.resolve(pkg)));
  const read = (pkg: string, file: string): string => fs.readFileSync(path.join(dist(pkg), file), 'utf8');
  cached = {
    uplotJs: read('uplot', 'uPlot.iife.min.js'),
    uplotCss: read('uplot', 'uPlot.min.css'),
    lightweightChartsJs: read('lightweight-charts', 'lightweight-charts.standalone.production.js'),
  };
  return cached;
}

/** Lightweight Charts' licence asks for this notice (its logo is on by default in each chart as well). */
export const TRADINGVIEW_ATTRIBUTION =
  'Price charts: TradingView Lightweight Charts™, Copyright © TradingView, Inc. (https://www.tradingview.com/).';
