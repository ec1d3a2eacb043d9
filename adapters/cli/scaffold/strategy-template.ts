/** Files of a new strategy plugin package, as `harvester init strategy NAME` writes them. */
export function strategyTemplate(name: string): Record<string, string> {
  const className =
    name
      .split('-')
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join('') + 'Strategy';
  return {
    'package.json': `${JSON.stringify(
      {
        name: `harvester-strategy-${name}`,
        version: '0.1.0',
        type: 'module',
        main: './index.ts',
        exports: { '.': './index.ts' },
        peerDependencies: { harvester: '*' },
        scripts: { test: 'mocha --import=tsx test/*.spec.ts' },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          types: ['mocha', 'node'],
        },
        include: ['*.ts', 'test/*.ts'],
      },
      null,
      2,
    )}\n`,
    'index.ts': `import { defineStrategy } from 'harvester/sdk';
import { ${className} } from './${name}.strategy.js';
import { params } from './params.js';

export default defineStrategy({
  id: '${name}',
  apiVersion: 1,
  description: 'Describe what ${name} trades and why.',
  paramsSchema: params,
  create: (context) => new ${className}(context),
});
`,
    'params.ts': `import { z } from 'harvester/sdk';

/** Prices are integer ten-thousandths of the currency (100 = $0.01); times are microseconds. */
export const params = z
  .object({
    symbol: z.string().min(1),
    quantity: z.number().int().positive().default(100),
    minImbalance: z.number().min(-1).max(1).default(0.5),
    stopTicks: z.number().int().positive().default(5),
    targetTicks: z.number().int().positive().default(8),
    tick: z.number().int().positive().default(100),
    cooldownSeconds: z.number().nonnegative().default(120),
  })
  .strict();

export type Params = z.output<typeof params>;
`,
    [`${name}.strategy.ts`]: `import type { BookView, Strategy, StrategyContext, StrategySubscription } from 'harvester/sdk';
import type { Params } from './params.js';

/**
 * A starting point: buys when the top-of-book volume leans to the bid, with a bracket (stop + target).
 * Rules of the road: read time only from ctx.clock, randomness only from ctx.random, send orders only with
 * ctx.submit (it goes through risk), and explain each decision with ctx.decide.
 */
export class ${className} implements Strategy {
  readonly id: string;
  private nextAllowed = 0;

  constructor(private readonly ctx: StrategyContext<Params>) {
    this.id = ctx.strategyId;
  }

  subscriptions(): readonly StrategySubscription[] {
    return [{ symbol: this.ctx.params.symbol, streams: ['depth', 'tape'], levels: 10 }];
  }

  onBook(book: BookView): void {
    const p = this.ctx.params;
    const now = this.ctx.clock.now();
    if (now < this.nextAllowed || book.bestBid === 0 || book.bestAsk === 0) return;
    if ((this.ctx.position(p.symbol)?.quantity ?? 0) !== 0) return;
    const bid = book.topVolume('bid');
    const ask = book.topVolume('ask');
    const imbalance = (bid - ask) / (bid + ask);
    const pass = imbalance >= p.minImbalance;
    if (!pass) return;
    const result = this.ctx.submit({
      symbol: p.symbol, kind: 'entry', side: 'buy', type: 'limit', quantity: p.quantity, limitPrice: book.bestAsk,
      stopLoss: book.bestBid - p.stopTicks * p.tick, takeProfit: book.bestAsk + p.targetTicks * p.tick, reason: 'imbalance',
    });
    this.ctx.decide({ symbol: p.symbol, stage: 'entry', outcome: result.status, intentId: result.intentId, gates: { imbalance: { value: imbalance, threshold: p.minImbalance, pass } } });
    this.nextAllowed = now + p.cooldownSeconds * 1_000_000;
  }
}
`,
    [`test/${name}.spec.ts`]: `import assert from 'node:assert/strict';
import plugin from '../index.js';

describe('${name}', () => {
  it('has a valid manifest and default params', () => {
    assert.equal(plugin.id, '${name}');
    assert.equal(plugin.apiVersion, 1);
    const parsed = plugin.paramsSchema.parse({ symbol: 'ABC' });
    assert.equal(parsed.quantity, 100);
    assert.throws(() => plugin.paramsSchema.parse({ symbol: 'ABC', quantity: -1 }));
  });

  it('enters with a bracket when the book leans to the bid', () => {
    const submitted: unknown[] = [];
    const book = { symbol: 'ABC', bestBid: 100_00, bestAsk: 100_01, bestBidSize: 900, bestAskSize: 100, spread: 1, mid2: 200_01, topN: 5, maxBidSizeTopN: 900, crossed: false, lastRecvTime: 0, lastExchTime: null, levels: () => 1, priceAt: () => 0, sizeAt: () => 0, topVolume: (side: string) => (side === 'bid' ? 900 : 100) };
    const ctx = {
      strategyId: '${name}', params: plugin.paramsSchema.parse({ symbol: 'ABC' }), clock: { now: () => 0 },
      position: () => undefined, decide: () => {}, submit: (i: unknown) => { submitted.push(i); return { status: 'sent', intentId: 'i1', coids: [], tradeId: 't1' }; },
    };
    const strategy = plugin.create(ctx as never);
    strategy.onBook?.(book as never, {} as never);
    assert.equal(submitted.length, 1);
    assert.equal((submitted[0] as { stopLoss: number }).stopLoss, 100_00 - 5 * 100);
  });
});
`,
    'README.md': `# ${name}\n\nA Harvester strategy plugin. Reference it from harvester.config.ts by path:\n\n\`\`\`ts\nstrategies: [{ use: './${name}/index.ts', params: { symbol: 'HRVST' } }],\n\`\`\`\n\nor, once published, by package name (\`use: 'harvester-strategy-${name}'\`). Run its spec with \`npm test\`.\n`,
  };
}
