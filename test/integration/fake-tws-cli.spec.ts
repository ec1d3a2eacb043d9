import { EventName, type Contract } from '@stoqey/ib';
import { expect } from 'chai';
import { Command } from 'commander';
import { registerFakeTwsCommand } from '../../adapters/cli/commands/fake-tws.command.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSession } from '../../adapters/replay/generator/market-generator.js';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';

const AAPL = { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;

/** Runs the command in-process, capturing what it prints. */
function run(args: string[]): { out: string[]; done: Promise<unknown> } {
  const out: string[] = [];
  const program = new Command().exitOverride();
  registerFakeTwsCommand(program);
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const done = program.parseAsync(['node', 'harvester', 'fake-tws', ...args]).finally(() => {
    process.stdout.write = write;
  });
  return { out, done };
}

async function waitForLine(out: string[], re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 200; i++) {
    for (const line of out) {
      const m = re.exec(line);
      if (m) return m;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no line matching ${re}: ${out.join('')}`);
}

describe('harvester fake-tws command', () => {
  let client: IbHarness | undefined;
  afterEach(() => {
    client?.disconnect();
    client = undefined;
  });

  it('lists the scenarios', async () => {
    const { out, done } = run(['--list-scenarios']);
    await done;
    expect(out.join('')).to.match(/^client-id-in-use\s+refuses/m);
  });

  it('rejects an unknown scenario', async () => {
    const { done } = run(['--scenario', 'nope']);
    let error: unknown;
    await done.catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/unknown scenario "nope"/);
  });

  it('prints its port, serves the real client a synthetic market, and stops on SIGTERM', async () => {
    const { out, done } = run(['--port', '0', '--seed', '7', '--speed', '0']);
    const [, port] = await waitForLine(out, /listening on 127\.0\.0\.1:(\d+)/);
    client = await IbHarness.connect(Number(port), 3);
    client.ib.reqMktData(11, AAPL, '', false, false);
    await client.waitFor(EventName.tickPrice);
    expect(client.decoderErrors()).to.deep.equal([]);
    client.disconnect();
    process.emit('SIGTERM', 'SIGTERM');
    await done;
    expect(out.join('')).to.match(/fake TWS stopped \(1 connections, 0 order messages, 0 undecodable client frames\)/);
  });

  it('plays a Harvester recording (.hrec) and fills a marketable order through the simulated broker', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-fake-cli-'));
    const file = path.join(dir, 'day.hrec');
    const w = RecordingWriter.open(file, {
      symbol: 'HRVST',
      date: '2024-03-14',
      tick: 100,
      timeZone: 'America/New_York',
      source: 'test',
      createdBy: 'spec',
    });
    generateSession(
      {
        seed: 5,
        symbol: 'HRVST',
        date: '2024-03-14',
        timeZone: 'America/New_York',
        start: '09:30',
        minutes: 3,
        tick: 100,
        startPrice: 325_000,
      },
      (e) => w.write(e),
    );
    w.close();
    const { out, done } = run(['--port', '0', '--recording', file, '--speed', '1']);
    try {
      const [, port] = await waitForLine(out, /listening on 127\.0\.0\.1:(\d+)/);
      client = await IbHarness.connect(Number(port), 4);
      const HRVST = { ...AAPL, symbol: 'HRVST' } as Contract;
      client.ib.reqMktDepth(12, HRVST, 10, false, []);
      const [, , , , price] = (await client.waitFor(EventName.updateMktDepth)) as [number, number, number, number, number];
      expect(price).to.be.within(30, 35); // $32.50 opening price, in the recording's Price units converted to dollars
      client.ib.placeOrder(9_001, HRVST, { action: 'BUY', orderType: 'MKT', totalQuantity: 100, transmit: true } as never);
      const [, , exec] = (await client.waitFor(EventName.execDetails)) as [number, unknown, { shares: number; price: number }];
      expect(exec.shares).to.equal(100);
      expect(exec.price).to.be.within(30, 35);
      expect(client.decoderErrors()).to.deep.equal([]);
    } finally {
      client?.disconnect();
      process.emit('SIGTERM', 'SIGTERM');
      await done;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
