import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const harvester = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 240_000 });

describe('a damaged recording through the CLI', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-damaged-'));
    const g = harvester(['generate', '--seed', '4', '--minutes', '20', '--intensity', '2', '--out', 'day.hrec'], dir);
    expect(g.status, g.stderr).to.equal(0);
    const b = fs.readFileSync(path.join(dir, 'day.hrec'));
    // Damage the payload length of the first block: today's reader used to drop everything after it.
    const first = 12 + b.readUInt32LE(8);
    b.writeUInt32LE(0x0fffffff, first + 4);
    fs.writeFileSync(path.join(dir, 'damaged.hrec'), b);
    fs.writeFileSync(
      path.join(dir, 'c.config.ts'),
      `export default {
      mode: 'replay', seed: 1, session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:50' },
      instruments: [{ symbol: 'HRVST', tick: 0.01 }],
      marketData: { use: 'replay', params: { recording: 'damaged.hrec' } }, broker: { use: 'simulated', params: {} },
      store: { use: 'typeorm', params: { file: 'h.sqlite' } }, strategies: [{ use: 'lmp', params: { symbol: 'HRVST' } }], dataDir: '.',
    };\n`,
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('inspect reports the damaged block and exits 4, or 0 with --tolerate-corrupt', () => {
    const r = harvester(['inspect', 'damaged.hrec'], dir);
    expect(r.status).to.equal(4);
    expect(r.stdout).to.match(/1 corrupt block\(s\): @\d+ bad block header/);
    expect(harvester(['inspect', 'damaged.hrec', '--tolerate-corrupt'], dir).status).to.equal(0);
  });

  it('run replays the rest, says what was skipped and exits 4 unless told to tolerate it', () => {
    const r = harvester(['run', '--config', 'c.config.ts', '--json'], dir);
    expect(r.status, r.stderr).to.equal(4);
    expect(r.stderr).to.match(/the market data was damaged: 1 block\(s\) or row\(s\) skipped/);
    const events = JSON.parse(r.stdout.trim().split('\n').pop()!).events as number;
    expect(events, 'the blocks after the damaged one still replay').to.be.greaterThan(8192);
    expect(harvester(['run', '--config', 'c.config.ts', '--json', '--tolerate-corrupt'], dir).status).to.equal(0);
  });
});
