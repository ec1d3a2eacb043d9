import { EventName, type Contract } from '@stoqey/ib';
import { expect } from 'chai';
import { Command } from 'commander';
import { registerFakeTwsCommand } from '../../adapters/cli/commands/fake-tws.command.js';
import { IbHarness } from './fake-tws/ib-client-harness.js';

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
    expect(out.join('')).to.match(/fake TWS stopped \(1 connections, 0 undecodable client frames\)/);
  });
});
