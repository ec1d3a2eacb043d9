import { expect } from 'chai';
import { z } from 'zod';
import { defineLearner, defineStrategy } from '../../plugins/sdk/define.js';

/*
 * Type-level tests: `npm test` runs `tsc --noEmit` over this file. Each `@ts-expect-error` below must meet a real
 * type error; if a wrongly shaped plugin ever compiled, the directive would be unused and the typecheck would fail.
 */
const params = z.object({ symbol: z.string() });

// @ts-expect-error — a strategy manifest without create() does not compile
defineStrategy({ id: 'no-create', apiVersion: 1, paramsSchema: params });

// Each directive sits on the line the error is reported at, in the layout `npm run format` gives the call.
defineStrategy({
  id: 'wrong-api',
  // @ts-expect-error — apiVersion must be the one this Harvester speaks
  apiVersion: 2,
  paramsSchema: params,
  create: (ctx) => ({ id: ctx.strategyId, subscriptions: () => [] }),
});

defineStrategy({
  id: 'bad-callback',
  apiVersion: 1,
  paramsSchema: params,
  // @ts-expect-error — create() must return a Strategy (subscriptions() is required)
  create: (ctx) => ({ id: ctx.strategyId }),
});

defineStrategy({
  id: 'typed-params',
  apiVersion: 1,
  paramsSchema: params,
  create: (ctx) => {
    // @ts-expect-error — params are typed from the schema: there is no `quantity`
    const q: number = ctx.params.quantity;
    void q;
    return { id: ctx.strategyId, subscriptions: () => [{ symbol: ctx.params.symbol, streams: ['depth'] }] };
  },
});

defineLearner({
  id: 'half-learner',
  apiVersion: 1,
  paramsSchema: z.object({}),
  // @ts-expect-error — a learner must implement score/serialize/deserialize
  create: () => ({ id: 'half-learner', build: () => ({ ok: false, code: 'x', reason: 'y' }) }),
});

describe('plugin contract types', () => {
  it('rejects a bad id at definition time (runtime guard for JavaScript authors)', () => {
    expect(() =>
      defineStrategy({
        id: 'Not_Kebab',
        apiVersion: 1,
        paramsSchema: params,
        create: (ctx) => ({ id: ctx.strategyId, subscriptions: () => [] }),
      }),
    ).to.throw(/kebab-case/);
  });
});
