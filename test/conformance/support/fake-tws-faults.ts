import type { Price, Quantity } from '../../../core/domain/units.js';
import { fromPrice } from '../../../core/domain/units.js';
import type { ClientRequest, FakeTwsServer, RequestedContract } from '../../../adapters/fake-tws/index.js';
import type { DeskExecution, DeskOrder } from '../../../adapters/fake-tws/order-desk.js';
import type { TwsRig } from './fake-tws-driver.js';
import { twsRaceFeatures } from './fake-tws-races.js';

/** What the venue can be told to swallow (BRK-53, BRK-63 b, BRK-84): one placement, cancel or modify, or a query. */
export type DropTarget = 'place' | 'cancel' | 'modify' | 'openOrders' | 'positions' | 'executions';

const REQUEST_OF: Record<Exclude<DropTarget, 'place' | 'modify' | 'cancel'>, ClientRequest['kind']> = {
  openOrders: 'openOrders',
  positions: 'positions',
  executions: 'executions',
};

type Conn = ReturnType<FakeTwsServer['live']>[number];

/**
 * Keeps the desk from seeing the frame being emitted now on `conn`, and only that frame: the connection is silent
 * until its next frame is emitted (frames that came in the same TCP read must not be swallowed with it), and `then`
 * answers in its place on the next turn.
 */
export function holdFrame(server: FakeTwsServer, conn: Conn, then: () => void): void {
  conn.silent = true;
  const release = (): void => {
    server.off('frame', next);
    conn.silent = false;
  };
  const next = (f: { connectionId: number }): void => {
    if (f.connectionId === conn.id) release();
  };
  server.on('frame', next);
  setImmediate(() => {
    release();
    then();
  });
}

/**
 * The broker driver's fault features (docs/conformance-kit.md#drivers) on the fake TWS, through its public API only: `inject`, `withheld`,
 * scenarios, the desk's state and frames written on a live connection. Each method is one stimulus; the kit awaits
 * it and then settles. Order ids are found through the adapter's own reports (coid → brokerOrderId).
 */
export interface TwsFaults {
  features: Record<string, (...a: never[]) => unknown>;
  /** Called by the driver's fill: true when the fault took the fill over (a sentinel commission). */
  fill(orderId: number, qty: Quantity | undefined, price: Price | undefined): boolean;
}

export function twsFaultFeatures(rig: TwsRig, idOf: (coid: string) => number | undefined): TwsFaults {
  const { server } = rig;
  // 'down': every new connection is closed as soon as it asks to start the API (the venue refuses the link).
  let down = false;
  // 'sentinel-commission': executions whose real commission is still owed (sent on the next reorderReports call).
  let sentinel = false;
  const owedCommissions: DeskExecution[] = [];
  server.on('frame', (f) => {
    if (f.request.kind !== 'startApi' || !down) return;
    const conn = server.live().find((c) => c.id === f.connectionId);
    if (conn === undefined) return;
    conn.silent = true; // the desk must not answer this handshake
    conn.close();
  });
  const conns = () => server.live().filter((c) => c.ready);
  const execsOf = (coid: string): DeskExecution[] => {
    const id = idOf(coid);
    return server.desk.executions.filter((x) => x.spec.orderId === id);
  };
  /** Runs `fn` instead of the desk for the next request that `match`es: the frame is held, `fn` answers for it. */
  const interceptNext = (match: (r: ClientRequest) => boolean, fn: (r: ClientRequest) => void): void => {
    const once = (f: { connectionId: number; request: ClientRequest }): void => {
      if (!match(f.request)) return;
      server.off('frame', once);
      const conn = server.live().find((c) => c.id === f.connectionId);
      if (conn !== undefined) holdFrame(server, conn, () => fn(f.request));
    };
    server.on('frame', once);
  };
  const isModify = (r: ClientRequest): boolean => r.kind === 'placeOrder' && server.desk.orders.has(r.order.orderId);
  /** The desk takes a placement while nothing is written back (the venue got it and stays silent). */
  const placeSilently = (r: ClientRequest, conn: Conn | undefined): number | null => {
    if (r.kind !== 'placeOrder' || conn === undefined) return null;
    const contract = server.contractFor(r.order.contract);
    if (contract === null) return null;
    const silent = conn.silent;
    conn.silent = true;
    try {
      server.desk.place(conn, r.order, contract);
    } finally {
      conn.silent = silent;
    }
    return r.order.orderId;
  };
  const connOf = (): Conn | undefined => conns()[0];
  const features: Record<string, (...a: never[]) => unknown> = {
    /**
     * 'drop': close, accept the next connection; 'down' / 'up': refuse every connection until 'up'; 'after-place':
     * take the next placement unanswered, then 'down'.
     */
    socketDrop: (mode: 'drop' | 'down' | 'up' | 'after-place' = 'drop') => {
      if (mode === 'up') {
        down = false;
        return;
      }
      if (mode === 'after-place') {
        return interceptNext(
          (r) => r.kind === 'placeOrder' && !isModify(r),
          (r) => {
            const conn = connOf();
            down = true;
            const id = conn === undefined ? null : placeSilently(r, conn);
            if (conn !== undefined) {
              conn.silent = true;
              conn.close();
            }
            return id;
          },
        );
      }
      if (mode === 'down') down = true;
      server.inject({ kind: 'close' });
    },
    /** 1100, then 1102 (data kept) or 1101 (data lost) on restore. */
    upstreamLoss: (phase: 'lost' | 'restored' | 'data-only', dataKept = true) =>
      server.inject({ kind: 'error', code: phase === 'lost' ? 1100 : phase === 'data-only' ? 2103 : dataKept ? 1102 : 1101 }),
    /** The venue no longer manages the configured account (TWS announces its managed accounts at every connection). */
    authFail: () => {
      rig.accounts.splice(0, rig.accounts.length, 'DU9999999');
    },
    /** Stops (or resumes) every answer, heartbeats included, while the socket stays open. */
    silence: (on = true) => server.inject({ kind: 'silence', on }),
    /** 326 for the next `times` connection attempts (the client id is "in use"). */
    identityInUse: (times = 1) => {
      let left = times;
      server.scenario = 'client-id-in-use';
      const count = (f: { request: ClientRequest }): void => {
        if (f.request.kind !== 'startApi' || --left > 0) return;
        server.off('frame', count);
        setImmediate(() => {
          server.scenario = 'normal';
        }); // after the desk answered this attempt with 326
      };
      server.on('frame', count);
    },
    /** A fatal answer (TWS 503: the API version is not supported, the client must stop). */
    fatal: (code = 503) => server.inject({ kind: 'error', code, text: 'The TWS is out of date and must be upgraded.' }),
    pacing: () => server.inject({ kind: 'error', code: 100, text: 'Max rate of messages per second has been exceeded.' }),
    /**
     * Swallows the next placement (of `coid`), cancel or modify (no answer at all), or every answer to a query kind
     * until `on: false`. A swallowed placement's `outcome`: the venue never got it, works it, or filled it.
     */
    dropReply: (what: DropTarget, opt: boolean | { coid?: string; outcome?: 'absent' | 'working' | 'filled'; on?: boolean } = {}) => {
      const o = typeof opt === 'boolean' ? { on: opt } : opt;
      const on = o.on ?? true;
      const ofCoid = (r: ClientRequest): boolean => o.coid === undefined || (r.kind === 'placeOrder' && idOf(o.coid) === r.order.orderId);
      if (what === 'place') {
        return interceptNext(
          (r) => r.kind === 'placeOrder' && !isModify(r) && ofCoid(r),
          (r) => {
            if (o.outcome === undefined || o.outcome === 'absent') return;
            const conn = connOf();
            const id = placeSilently(r, conn);
            if (id === null || o.outcome !== 'filled' || conn === undefined) return;
            conn.silent = true; // the fill's reports are swallowed too: only reconciliation will see it
            try {
              server.desk.forceFill(id);
            } finally {
              conn.silent = false;
            }
          },
        );
      }
      if (what === 'modify') return interceptNext(isModify, () => undefined);
      if (what === 'cancel')
        return interceptNext(
          (r) => r.kind === 'cancelOrder',
          () => undefined,
        );
      if (on) server.withheld.add(REQUEST_OF[what]);
      else server.withheld.delete(REQUEST_OF[what]);
    },
    /**
     * Re-sends every execution of `coid` with its commission, and its latest status, `times` more times; then, with
     * `staleStatus`, a status with a lower filled count.
     */
    duplicateReports: (coid: string, times = 1, opt: { staleStatus?: boolean } = {}) => {
      const id = idOf(coid);
      const o = id === undefined ? undefined : server.desk.orders.get(id);
      if (opt.staleStatus === true && o !== undefined) {
        for (const c of conns())
          c.send(
            c.msgs.orderStatus({ ...statusOf(o), status: 'Submitted', filled: 0, remaining: o.placed.totalQuantity, avgFillPrice: 0 }),
          );
      }
      for (let i = 0; i < times; i++) {
        for (const c of conns()) {
          for (const x of execsOf(coid)) {
            c.send(c.msgs.execution({ ...x.spec, reqId: -1 }));
            c.send(server.desk.commissionFrame(c.msgs, x));
          }
          if (o !== undefined) c.send(c.msgs.orderStatus(statusOf(o)));
        }
      }
    },
    /** How the venue orders its reports from now on: commission before execution, or execution before the ack. */
    reorderReports: (mode: 'commission-first' | 'exec-before-ack' | 'sentinel-commission' | 'orphan-commission' | 'normal') => {
      if (mode === 'orphan-commission') {
        // A commission for an execution the venue never sends (IB: the execution was lost, the report was not).
        const execId = `0000orph.${(++orphans).toString(16).padStart(8, '0')}.01.01`;
        for (const c of conns()) c.send(c.msgs.commissionReport(execId, 1, 'USD'));
        return execId;
      }
      sentinel = mode === 'sentinel-commission';
      if (!sentinel) {
        for (const x of owedCommissions.splice(0)) for (const c of conns()) c.send(server.desk.commissionFrame(c.msgs, x));
      }
      server.scenario =
        mode === 'commission-first' ? 'commission-before-exec' : mode === 'exec-before-ack' ? 'exec-before-open-order' : 'normal';
      return undefined;
    },
    /** Revises the latest execution of `coid` (…`.01` → …`.02`) to `price` and/or `qty`, with its commission. */
    execCorrection: (coid: string, change: { price?: Price; qty?: Quantity }) => {
      const last = execsOf(coid).at(-1);
      if (last === undefined) return;
      const cut = last.spec.execId.lastIndexOf('.');
      const revision = Number.parseInt(last.spec.execId.slice(cut + 1), 10) + 1;
      const spec = {
        ...last.spec,
        execId: `${last.spec.execId.slice(0, cut)}.${String(revision).padStart(2, '0')}`,
        ...(change.price !== undefined ? { price: fromPrice(change.price) } : {}),
        ...(change.qty !== undefined ? { shares: change.qty } : {}),
      };
      const x: DeskExecution = { ...last, spec };
      server.desk.executions.push(x); // a later reqExecutions replays the revision too, as TWS does
      for (const c of conns()) {
        c.send(c.msgs.execution({ ...spec, reqId: -1 }));
        c.send(server.desk.commissionFrame(c.msgs, x));
      }
    },
    /**
     * An execution for venue order `orderId` that this adapter did not place (no client reference), optionally with
     * its order's own report later; or a position the venue holds (`position`), as after a previous day.
     */
    externalOrders: (o: {
      orderId?: number;
      symbol?: string;
      qty?: Quantity;
      price?: Price;
      side?: 'buy' | 'sell';
      report?: boolean;
      position?: { symbol: string; qty: Quantity; avgPrice: Price };
    }) => {
      if (o.position !== undefined) {
        const account = rig.accounts[0] ?? '';
        const contract = server.contractFor(stock(o.position.symbol));
        if (contract === null) return;
        server.desk.positions.set(`${account}|${o.position.symbol}`, {
          account,
          contract,
          qty: o.position.qty,
          cost: o.position.avgPrice * o.position.qty,
        });
        return;
      }
      const symbol = o.symbol ?? 'XYZ';
      const contract = server.contractFor(stock(symbol));
      if (contract === null || o.orderId === undefined) return;
      const qty = o.qty ?? 100;
      const price = o.price ?? 123400;
      const spec = {
        orderId: o.orderId,
        contract,
        execId: `0000ext0.${o.orderId.toString(16).padStart(8, '0')}.01.01`,
        time: '20260310 14:00:00 UTC',
        account: rig.accounts[0] ?? '',
        exchange: 'NASDAQ',
        side: (o.side ?? 'buy') === 'buy' ? ('BOT' as const) : ('SLD' as const),
        shares: qty,
        price: fromPrice(price),
        permId: 2_000_000 + o.orderId,
        clientId: 0,
        cumQty: qty,
        avgPrice: fromPrice(price),
        orderRef: '',
      };
      if (o.report === true) {
        // The order's own report, after its execution: a filled order placed elsewhere (no client reference).
        const open = {
          orderId: o.orderId,
          contract,
          action: spec.side === 'BOT' ? 'BUY' : 'SELL',
          totalQuantity: qty,
          orderType: 'LMT',
          lmtPrice: spec.price,
          auxPrice: undefined,
          tif: 'DAY',
          ocaGroup: '',
          account: spec.account,
          orderRef: '',
          clientId: 0,
          permId: spec.permId,
          parentId: 0,
          status: 'Filled',
        };
        for (const c of conns()) {
          c.send(c.msgs.openOrder(open));
          c.send(
            c.msgs.orderStatus({
              orderId: o.orderId,
              status: 'Filled',
              filled: qty,
              remaining: 0,
              avgFillPrice: spec.price,
              permId: spec.permId,
              parentId: 0,
              lastFillPrice: spec.price,
              clientId: 0,
              whyHeld: '',
            }),
          );
        }
        return;
      }
      for (const c of conns()) {
        c.send(c.msgs.execution({ ...spec, reqId: -1 }));
        c.send(c.msgs.commissionReport(spec.execId, 1, 'USD'));
      }
    },
    /**
     * The next placement goes Inactive: after an error reason (a), or held for a locate (b, TWS 404 then whyHeld). With
     * `coid` and `status`: that working order gets a status string TWS never documented (c).
     */
    inactive: (o: { reason?: string; whyHeld?: string; coid?: string; status?: string } = {}) => {
      if (o.coid !== undefined) {
        const id = idOf(o.coid);
        const d = id === undefined ? undefined : server.desk.orders.get(id);
        if (d !== undefined) for (const c of conns()) c.send(c.msgs.orderStatus({ ...statusOf(d), status: o.status ?? 'Unrecognised' }));
        return;
      }
      interceptNext(
        (r) => r.kind === 'placeOrder' && !isModify(r),
        (r) => {
          if (r.kind !== 'placeOrder') return;
          const orderId = r.order.orderId;
          for (const c of conns()) {
            const locate = o.whyHeld !== undefined;
            c.send(
              c.msgs.error(
                orderId,
                locate ? 404 : 201,
                locate ? 'Order held while securities are located.' : `Order rejected - reason:${o.reason ?? 'inactive'}`,
              ),
            );
            c.send(
              c.msgs.orderStatus({
                orderId,
                status: 'Inactive',
                filled: 0,
                remaining: r.order.totalQuantity,
                avgFillPrice: 0,
                permId: 0,
                parentId: 0,
                lastFillPrice: 0,
                clientId: c.clientId ?? 0,
                whyHeld: o.whyHeld ?? '',
              }),
            );
          }
        },
      );
    },
    /** The venue keeps its state while the adapter is replaced: nothing to do here, the factory reuses the server. */
    restart: () => undefined,
    /** cancelRace, modifyRace (BRK-32, BRK-42): support/fake-tws-races.ts. */
    ...twsRaceFeatures(server),
  };
  return {
    features,
    fill: (orderId, qty, price) => {
      if (!sentinel) return false;
      // The execution goes out with IB's "not yet known" commission (max double); the real one is owed until later.
      const conn = connOf();
      if (conn === undefined) return false;
      const before = server.desk.executions.length;
      conn.silent = true;
      try {
        server.desk.forceFill(orderId, qty, price === undefined ? undefined : price);
      } finally {
        conn.silent = false;
      }
      for (const x of server.desk.executions.slice(before)) {
        for (const c of conns()) {
          c.send(c.msgs.execution({ ...x.spec, reqId: -1 }));
          c.send(c.msgs.commissionReport(x.spec.execId, Number.MAX_VALUE, 'USD'));
        }
        owedCommissions.push(x);
      }
      return true;
    },
  };
}

let orphans = 0;

const stock = (symbol: string): RequestedContract => ({
  conId: 0,
  symbol,
  secType: 'STK',
  exchange: 'SMART',
  primaryExchange: '',
  currency: 'USD',
});

function statusOf(o: DeskOrder) {
  return {
    orderId: o.orderId,
    status: o.status,
    filled: o.filled,
    remaining: o.placed.totalQuantity - o.filled,
    avgFillPrice: o.filled > 0 ? fromPrice(Math.round(o.fillNotional / o.filled)) : 0,
    permId: o.permId,
    parentId: o.placed.parentId,
    lastFillPrice: fromPrice(o.lastFillPrice),
    clientId: o.clientId,
    whyHeld: '',
  };
}
