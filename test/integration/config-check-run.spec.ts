import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');

function harvester(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.HARVESTER_ARM_LIVE;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: childEnv, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('config check accepts exactly what run accepts (CLI as a child process)', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-check-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const replayBase = (over: string) => `export default {
  mode: 'replay',
  marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
  broker: { use: 'simulated', params: {} },
  store: { use: 'typeorm', params: { file: '${dir}/never.sqlite' } },
  strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'HRVST' } }],
  dataDir: '${dir}/data',
  ${over}
};\n`;
  const liveBase = (over: string) => `export default {
  mode: 'live', live: { armed: true },
  account: { id: { $env: 'HV_TEST_LIVE_ACCOUNT' } },
  instruments: [{ symbol: 'HRVST' }],
  marketData: { use: 'tws', params: { port: 7496, clientId: 3 } },
  broker: { use: 'tws', params: { port: 7496, clientId: 3 } },
  store: { use: 'typeorm', params: { file: '${dir}/never.sqlite' } },
  strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'HRVST' } }],
  dataDir: '${dir}/data',
  ${over}
};\n`;
  const write = (name: string, text: string): string => {
    const file = path.join(dir, `${name}.config.ts`);
    fs.writeFileSync(file, text);
    return file;
  };
  const LIVE_ENV = { HV_TEST_LIVE_ACCOUNT: 'UFAKE0002' };

  it('an armed live config with risk: [] shows the floor it added, naming each policy, and the effective chain', () => {
    const file = write('live-no-risk', liveBase('risk: [],'));
    const r = harvester(['config', 'check', '--config', file], LIVE_ENV);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /risk floor: the chain lacked daily-loss, max-position, risk-per-trade, max-trades-day, consecutive-losses; added at the floor defaults/,
    );
    expect(r.stdout).to.match(
      /effective risk chain:\n\s+daily-loss: halt trading when the day's net PnL ≤ −1\.00 % .*\[added by the risk floor\]/,
    );
    for (const id of ['max-position', 'risk-per-trade', 'max-trades-day', 'consecutive-losses'])
      expect(r.stdout).to.match(new RegExp(`${id}: .*\\[added by the risk floor\\]`));
    expect(r.stdout).to.not.contain('UFAKE0002');
    const json = harvester(['config', 'check', '--json', '--config', file], LIVE_ENV);
    const parsed = JSON.parse(json.stdout) as { effectiveRisk: { use: string }[] };
    expect(parsed.effectiveRisk.map((p) => p.use)).to.deep.equal([
      'daily-loss',
      'max-position',
      'risk-per-trade',
      'max-trades-day',
      'consecutive-losses',
    ]);
    expect(json.stdout).to.not.contain('UFAKE0002');
  });

  it('a live chain below the floor is refused by check and run alike, unless live.belowRiskFloor accepts it', () => {
    const loose = write('live-loose', liveBase("risk: [{ use: 'daily-loss', action: 'halt', params: { maxLossPct: 5 } }],"));
    const check = harvester(['config', 'check', '--config', loose], LIVE_ENV);
    expect(check.status).to.not.equal(0);
    expect(check.stderr).to.match(
      /CONFIG\.RISK_FLOOR: risk: a live chain below the risk floor.*\n\s+risk\[0\] \(daily-loss\): maxLossPct 5 % is above the floor's 1 %/,
    );
    expect(check.stderr).to.contain("live.belowRiskFloor: { policies: ['daily-loss']");
    const run = harvester(['run', '--arm-live', '--config', loose], LIVE_ENV);
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain('CONFIG.RISK_FLOOR');
    const accepted = write(
      'live-accepted',
      liveBase("risk: [{ use: 'daily-loss', action: 'halt', params: { maxLossPct: 5 } }],").replace(
        'live: { armed: true }',
        "live: { armed: true, belowRiskFloor: { policies: ['daily-loss'], reason: 'a wider stop for the first week, agreed with risk' } }",
      ),
    );
    const ok = harvester(['config', 'check', '--config', accepted], LIVE_ENV);
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/risk floor: live\.belowRiskFloor accepts the above: a wider stop for the first week/);
  });

  for (const [name, over, re] of [
    ['bad-date', "session: { date: '2024-02-30' },", /session: 2024-02-30 09:30 in America\/New_York is not a valid time/],
    ['bad-zone', "session: { timeZone: 'Mars/Olympus' },", /session: .* in Mars\/Olympus is not a valid time/],
    ['end-before-start', "session: { start: '11:00', end: '10:00' },", /session\.end \(10:00\) must be after session\.start \(11:00\)/],
    ['huge-equity', 'account: { startEquity: 1e300 },', /account\.startEquity: .*at most 1000000000/],
    [
      'huge-position',
      "risk: [{ use: 'max-position', action: 'reject', params: { maxPositionValue: 1e308 } }],",
      /risk\[0\]\.params\.maxPositionValue: .*at most 1000000000/,
    ],
    [
      'huge-shares',
      "risk: [{ use: 'max-position', action: 'reject', params: { maxShares: 1e12 } }],",
      /risk\[0\]\.params\.maxShares: .*at most 10000000/,
    ],
  ] as const) {
    it(`refuses ${name} in config check and in run, with the same message`, () => {
      const file = write(name, replayBase(over));
      const check = harvester(['config', 'check', '--config', file]);
      expect(check.status).to.not.equal(0);
      expect(check.stderr).to.match(re);
      const run = harvester(['run', '--config', file]);
      expect(run.status).to.not.equal(0);
      expect(run.stderr).to.match(re);
      expect(fs.existsSync(path.join(dir, 'never.sqlite'))).to.equal(false);
    });
  }

  it('a plugin loaded by path from a folder without "type": "module" reports its own import error, naming plugin and path', () => {
    const pluginDir = path.join(dir, 'plain-folder');
    fs.mkdirSync(pluginDir, { recursive: true });
    fs.writeFileSync(path.join(pluginDir, 'package.json'), '{ "name": "plain-folder" }\n');
    fs.writeFileSync(
      path.join(pluginDir, 'my-policy.ts'),
      `import { helper } from './helper-that-does-not-exist.js';\nexport default { kind: 'risk-policy', id: 'my-policy', apiVersion: 1, paramsSchema: null, create: () => helper };\n`,
    );
    const file = path.join(pluginDir, 'plugin.config.ts');
    fs.writeFileSync(file, replayBase("risk: [{ use: './my-policy.ts', action: 'reject', params: {} }],"));
    const r = harvester(['config', 'check', '--config', file]);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.not.match(/in a cycle/);
    expect(r.stderr).to.match(/PLUGIN\.LOAD_FAILED/);
    expect(r.stderr).to.contain('./my-policy.ts');
    expect(r.stderr).to.contain(path.join(pluginDir, 'my-policy.ts'));
    expect(r.stderr).to.match(/helper-that-does-not-exist/);
  });
});
