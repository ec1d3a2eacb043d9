import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeTwsServer, StepClock, syntheticMarket } from '../../adapters/fake-tws/index.js';
import { sessionAround } from '../../core/config/session-window.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
/** A made-up live-style (U…) account id: the fake TWS reports it, as a TWS logged in to a real account would. */
const LIVE_ACCOUNT = 'UFAKE0001';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `harvester …` as a child process (async: the fake TWS answers from this process meanwhile). */
function harvester(args: string[], env: Record<string, string | undefined>, onStart?: (kill: () => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    delete childEnv.HARVESTER_ARM_LIVE;
    delete childEnv.TWS_ACCOUNT;
    for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += String(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += String(c);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    onStart?.(() => child.kill('SIGKILL'));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A session window around now: venue modes run on the wall clock. */
function windowAroundNow(): string {
  return JSON.stringify(sessionAround(Date.now(), 1, 2));
}

describe('arming cannot be bypassed (harvester run as a child process against a fake TWS logged in to a live account)', function () {
  this.timeout(200_000);
  let server: FakeTwsServer;
  let dir: string;
  let placements = 0;
  let killChild: (() => void) | null = null;

  before(async () => {
    server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: [LIVE_ACCOUNT],
      speed: 1,
      market: syntheticMarket({ symbol: 'HRVST', seed: 5, start: 0, steps: 4_000, mid: 325_000, tick: 100, interval: 15_000 }),
    });
    // The fake counts every order placement it receives; a bypass shows as a placement (and the child is stopped).
    server.on('frame', (f) => {
      if (f.request.kind === 'placeOrder') {
        placements++;
        killChild?.();
      }
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-arming-'));
  });
  after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    placements = 0;
  });

  const tws = (port: number) => `{ use: 'tws', params: { port: ${port}, clientId: 61 } }`;
  const write = (name: string, body: string, firstLine = ''): string => {
    const file = path.join(dir, `${name}.config.ts`);
    fs.writeFileSync(
      file,
      `${firstLine}export default {
  ${body},
  session: ${windowAroundNow()},
  instruments: [{ symbol: 'HRVST', tick: 0.01 }],
  store: { use: 'typeorm', params: { file: '${dir}/${name}.sqlite' } },
  strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'HRVST', minImbalance: 0.2, cooldownSeconds: 1, maxHoldSeconds: 2, quantity: 10 } }],
  dataDir: '${dir}/${name}',
};\n`,
    );
    return file;
  };
  const run = (file: string, extra: string[] = [], env: Record<string, string | undefined> = {}) =>
    harvester(['run', '--config', file, ...extra], env, (kill) => {
      killChild = kill;
    });

  it('sim-live with the TWS broker follows the live rules: refused unarmed, 0 orders, exit non-zero', async () => {
    const file = write('sim-live', `mode: 'sim-live', marketData: ${tws(server.port)}, broker: ${tws(server.port)}`);
    const r = await run(file);
    expect(placements).to.equal(0);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.match(/LIVE_NOT_ARMED.*mode is 'sim-live' but broker 'tws' \(port \d+\).*talks to TWS, so the live rules apply/);
  });

  it('replay with the TWS broker is refused before it connects', async () => {
    const before = server.stats.connections;
    const file = write(
      'replay-tws',
      `mode: 'replay', marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } }, broker: ${tws(server.port)}`,
    );
    const r = await run(file);
    expect(placements).to.equal(0);
    expect(server.stats.connections).to.equal(before);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.match(/LIVE_NOT_ARMED: mode is 'replay' but broker 'tws'/);
  });

  it('paper without account.id is refused before it connects (the TWS is logged in to a live account)', async () => {
    const before = server.stats.connections;
    const file = write('paper-no-account', `mode: 'paper', marketData: ${tws(server.port)}, broker: ${tws(server.port)}`);
    const r = await run(file);
    expect(placements).to.equal(0);
    expect(server.stats.connections).to.equal(before);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.match(/ACCOUNT_MISSING: mode is 'paper'.*account\.id is not set/);
    expect(r.stdout).to.not.match(/completed/);
  });

  it('a paper account this TWS does not manage gets no order and fails with the broker code, not an engine invariant', async () => {
    const file = write(
      'paper-wrong-account',
      `mode: 'paper', account: { id: { $env: 'TWS_ACCOUNT' } }, marketData: ${tws(server.port)}, broker: ${tws(server.port)}`,
    );
    const r = await run(file, [], { TWS_ACCOUNT: 'DFAKE0002' });
    expect(placements).to.equal(0);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.contain('BROKER.AUTH_FAILED');
    expect(r.stderr).to.not.contain('ENGINE.INVARIANT');
    expect(r.stderr).to.not.contain(LIVE_ACCOUNT);
  });

  it('armed live on the paper port 7497 is refused before it connects, naming the port setting', async () => {
    const file = write(
      'live-7497',
      `mode: 'live', live: { armed: true }, account: { id: { $env: 'TWS_ACCOUNT' } }, marketData: ${tws(7497)}, broker: ${tws(7497)}`,
    );
    const r = await run(file, ['--arm-live'], { TWS_ACCOUNT: LIVE_ACCOUNT });
    expect(placements).to.equal(0);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.match(/PORT_MISMATCH: mode is 'live': broker\.params\.port 7497 is a paper TWS\/Gateway port/);
    expect(fs.existsSync(path.join(dir, 'live-7497.sqlite'))).to.equal(false);
    expect(r.stderr).to.not.contain(LIVE_ACCOUNT);
  });

  it('a config file cannot arm itself: process.env.HARVESTER_ARM_LIVE set by the config is ignored', async () => {
    const file = write(
      'self-arming',
      `mode: 'live', live: { armed: true }, account: { id: { $env: 'TWS_ACCOUNT' } }, marketData: ${tws(server.port)}, broker: ${tws(server.port)}`,
      "process.env.HARVESTER_ARM_LIVE = '1';\n",
    );
    const before = server.stats.connections;
    const r = await run(file, [], { TWS_ACCOUNT: LIVE_ACCOUNT });
    expect(placements).to.equal(0);
    expect(server.stats.connections).to.equal(before);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.match(/LIVE_NOT_ARMED: mode is 'live': the run was not armed/);
  });

  it('a config file cannot set the account either: env() reads the environment captured at start', async () => {
    const file = write(
      'self-account',
      `mode: 'paper', account: { id: { $env: 'TWS_ACCOUNT' } }, marketData: ${tws(server.port)}, broker: ${tws(server.port)}`,
      "process.env.TWS_ACCOUNT = 'DFAKE0001';\n",
    );
    const r = await run(file);
    expect(placements).to.equal(0);
    expect(r.status, r.stderr).to.not.equal(0);
    expect(r.stderr).to.match(/ENV_MISSING: account\.id: environment variable TWS_ACCOUNT is not set/);
  });
});
