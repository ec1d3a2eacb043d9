import { EventName, SecType, type Contract, type ContractDetails } from '@stoqey/ib';
import type { Price } from '../../../core/domain/units.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { fromTws } from './price.js';
import type { TwsConnection } from '../connection/connection.js';
import type { TwsOutboundPacer } from '../connection/outbound-pacer.js';

/** A stock contract as TWS resolved it: the conId pins it, so SMART routing can never pick another listing. */
export interface QualifiedContract {
  readonly symbol: string;
  readonly conId: number;
  readonly currency: string;
  readonly primaryExchange: string;
  /** Minimum price increment in Price units (100 = $0.01). */
  readonly minTick: Price;
  readonly longName: string;
}

const DEADLINE_MS = 5_000;

/**
 * Contract qualification with a cache (ib-adapter-behaviour.md: qualify before any data or order request). One
 * reqContractDetails per symbol per process; concurrent callers share the request; an unknown symbol (IB 200) or an
 * ambiguous one (several stock listings in the currency) is refused with ORDER.UNKNOWN_INSTRUMENT and not cached, so
 * a later call may try again. The answer is kept across reconnects: a conId does not change within a session.
 */
export class TwsContracts {
  private readonly cache = new Map<string, QualifiedContract>();
  private readonly inFlight = new Map<string, Promise<QualifiedContract>>();
  private readonly collecting = new Map<number, ContractDetails[]>();

  /** `pacer`: where the request waits for its outbound slot (the exit lane: orders and data lines are waiting on it). */
  constructor(
    private readonly connection: TwsConnection,
    private readonly currency = 'USD',
    private readonly pacer: TwsOutboundPacer | null = null,
  ) {
    const ib = connection.ib;
    ib.on(EventName.contractDetails, (reqId: number, details: ContractDetails) => {
      this.collecting.get(reqId)?.push(details);
    });
    ib.on(EventName.contractDetailsEnd, (reqId: number) => {
      const rows = this.collecting.get(reqId);
      if (rows === undefined) return;
      this.collecting.delete(reqId);
      connection.registry.complete(reqId, rows);
    });
  }

  /** The cached qualification, or undefined when the symbol was never qualified (or failed). */
  get(symbol: string): QualifiedContract | undefined {
    return this.cache.get(symbol);
  }

  /** What to send with a request: the conId once qualified, the SMART stock description otherwise. */
  contract(symbol: string): Contract {
    const q = this.cache.get(symbol);
    return q === undefined
      ? { symbol, secType: SecType.STK, exchange: 'SMART', currency: this.currency }
      : { conId: q.conId, symbol, secType: SecType.STK, exchange: 'SMART', currency: q.currency, primaryExch: q.primaryExchange };
  }

  qualify(symbol: string): Promise<QualifiedContract> {
    const cached = this.cache.get(symbol);
    if (cached !== undefined) return Promise.resolve(cached);
    const running = this.inFlight.get(symbol);
    if (running !== undefined) return running;
    const request = this.request(symbol).finally(() => this.inFlight.delete(symbol));
    this.inFlight.set(symbol, request);
    return request;
  }

  /** Qualifies every symbol; resolves with the ones that failed (each with its reason), never rejects. */
  async qualifyAll(symbols: Iterable<string>): Promise<Array<{ symbol: string; reason: string }>> {
    const failed: Array<{ symbol: string; reason: string }> = [];
    await Promise.all(
      [...new Set(symbols)].map((s) =>
        this.qualify(s).catch((e: unknown) => {
          failed.push({ symbol: s, reason: (e as Error).message });
        }),
      ),
    );
    return failed.sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  private async request(symbol: string): Promise<QualifiedContract> {
    let rows: ContractDetails[] | null;
    try {
      rows = await this.connection.call<ContractDetails[] | null>({
        type: 'contract-details',
        origin: `qualify ${symbol}`,
        deadlineMs: DEADLINE_MS,
        send: (id) => {
          this.collecting.set(id, []);
          const send = (): number => {
            // The link may have dropped while the request waited for its slot; the registry's deadline answers then.
            if (!this.connection.linkUp) return 0;
            this.connection.ib.reqContractDetails(id, { symbol, secType: SecType.STK, exchange: 'SMART', currency: this.currency });
            return 1;
          };
          if (this.pacer === null) send();
          else this.pacer.enqueue({ lane: 'exit', key: `qualify ${symbol}`, send, drop: () => undefined });
        },
      });
    } catch (e) {
      const error = e as HarvesterError;
      if (error.details?.ibCode === 200)
        throw new HarvesterError('ORDER.UNKNOWN_INSTRUMENT', `TWS knows no ${this.currency} stock ${symbol} (IB 200)`, { cause: error });
      throw error;
    }
    const stocks = (rows ?? []).filter(
      (r) => r.contract?.secType === SecType.STK && (r.contract.currency ?? this.currency) === this.currency,
    );
    const conIds = new Set(stocks.map((r) => r.contract?.conId));
    if (stocks.length === 0)
      throw new HarvesterError('ORDER.UNKNOWN_INSTRUMENT', `TWS returned no ${this.currency} stock listing for ${symbol}`);
    if (conIds.size > 1)
      throw new HarvesterError(
        'ORDER.UNKNOWN_INSTRUMENT',
        `${symbol} is ambiguous: ${conIds.size} ${this.currency} stock listings (conIds ${[...conIds].join(', ')}); configure the exchange`,
      );
    const d = stocks[0]!;
    const q: QualifiedContract = Object.freeze({
      symbol,
      conId: d.contract!.conId!,
      currency: d.contract!.currency ?? this.currency,
      primaryExchange: d.contract!.primaryExch ?? '',
      minTick: fromTws(d.minTick ?? 0.01),
      longName: d.longName ?? '',
    });
    this.cache.set(symbol, q);
    return q;
  }
}
