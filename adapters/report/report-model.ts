import type { Micros, Money, Price, Quantity } from '../../core/domain/units.js';

/** One gate as a decision recorded it. */
export interface GateMark {
  name: string;
  pass: boolean;
  value: unknown;
  threshold?: unknown;
}

/** A decision of the trade's trail, in the order it was journaled. */
export interface TrailStep {
  time: Micros;
  stage: string;
  outcome: string;
  note: string;
  memoryVersion: number | null;
  failed: GateMark[];
  passed: number;
}

/** A closed round trip joined with its bracket orders, fills and decisions. All money and prices integer units. */
export interface TradeRecord {
  tradeId: string;
  symbol: string;
  side: 'long' | 'short';
  quantity: Quantity;
  entryTime: Micros;
  exitTime: Micros;
  entryPrice: Price;
  exitPrice: Price;
  grossPnl: Money;
  netPnl: Money;
  commission: Money;
  exitReason: string;
  /** Initial protective stop of the entry bracket, when the trade had one. */
  stopPrice: Price | null;
  targetPrice: Price | null;
  /** quantity × |entry − stop|: what the stop put at risk when the trade was opened. */
  plannedRisk: Money | null;
  /** netPnl ÷ plannedRisk, or null without a stop. */
  r: number | null;
  /** Adverse slippage per share of the entry fills against the entry order's own price (positive = worse). */
  entrySlippage: Price | null;
  /** Worst and best prices seen against the position between entry and exit (from the recording), when known. */
  maePrice: Price | null;
  mfePrice: Price | null;
  maeR: number | null;
  mfeR: number | null;
  memoryVersion: number | null;
  trail: TrailStep[];
}

export interface Kpis {
  /** Share of the session the broker link was Connected, 0–100. */
  connectionUptimePct: number;
  disconnects: number;
  marketDataGaps: number;
  /** Median receive − exchange time of the recorded events, µs; null when the source gives no exchange time. */
  medianMarketDataLatencyUs: number | null;
  ordersSent: number;
  ordersRejected: number;
  ordersCancelled: number;
  ordersFilled: number;
  /** Filled ÷ sent, 0–1. */
  fillRatio: number;
  /** Mean adverse slippage per share over fills with a reference price, in price units; null without such fills. */
  avgSlippage: number | null;
  fills: number;
  trades: number;
  wins: number;
  grossPnl: Money;
  netPnl: Money;
  commissions: Money;
  /** Largest fall of realised net PnL from its running peak, as a positive amount. */
  maxDrawdown: Money;
  riskBreaches: Record<string, number>;
  killSwitchTransitions: number;
  learningPromotions: number;
  learningRejections: number;
  learningRollbacks: number;
  /** Learning updates that ended in a promotion ÷ all gate verdicts, 0–1; null when none ran. */
  learningSuccessRate: number | null;
  expectancyR: number | null;
}

/** Net result of the trades before and after one promotion. */
export interface PromotionDelta {
  at: Micros;
  version: string;
  before: { trades: number; netPnl: Money; expectancyR: number | null };
  after: { trades: number; netPnl: Money; expectancyR: number | null };
}

/** One column of the book heatmap: the visible levels at a moment. */
export interface BookColumn {
  t: Micros;
  bid: Price;
  ask: Price;
  /** [price, size] pairs, bids then asks. */
  levels: [Price, Quantity][];
}

export interface TradeWindow {
  tradeId: string;
  from: Micros;
  to: Micros;
  columns: BookColumn[];
}

export interface MarketSeries {
  /** Mid price per bucket (price units ×2 halved at render), one point per `bucketUs`. */
  times: Micros[];
  mids: Price[];
  bucketUs: number;
}

export interface ReportModel {
  session: {
    id: string;
    mode: string;
    strategy: string;
    status: string;
    startedAt: Micros;
    endedAt: Micros | null;
    timeZone: string;
    date: string;
  };
  kpis: Kpis;
  trades: TradeRecord[];
  equity: { t: Micros; netPnl: Money }[];
  exitReasons: Record<string, number>;
  promotions: PromotionDelta[];
  market: MarketSeries | null;
  /** The instrument's tick, price units, for the heatmap's rows. */
  tick: number;
  windows: TradeWindow[];
  /** What the report could not compute and why (e.g. no recording found for the drill-down). */
  notes: string[];
}
