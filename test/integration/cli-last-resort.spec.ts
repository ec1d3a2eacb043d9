import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { LAST_RESORT_EXIT } from '../../adapters/cli/last-resort.js';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(repo, 'bin', 'harvester.js');

describe('harvester run: an uncaught error ends in the last-resort handler (real CLI, SQLite journal)', function () {
  this.timeout(240_000);

  it('a plugin error thrown outside every handler: journaled, alerted at error level, exit 70 (not a crash exit 1)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-last-resort-'));
    try {
      const db = path.join(dir, 'h.sqlite');
      const config = path.join(dir, 'crash.config.ts');
      fs.writeFileSync(
        config,
        `export default {
  seed: 9,
  session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:40' },
  marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
  broker: { use: 'simulated', params: {} },
  store: { use: 'typeorm', params: { file: '${db}' } },
  strategies: [{ use: '${path.join(repo, 'test/fixtures/plugins/crash-later/index.ts')}', params: { symbol: 'HRVST' } }],
  dataDir: '${path.join(dir, 'var')}',
};
`,
      );
      const r = spawnSync(process.execPath, [bin, 'run', '--json', '--config', config], { cwd: dir, encoding: 'utf8', timeout: 200_000 });
      expect(r.status, r.stderr).to.equal(LAST_RESORT_EXIT);
      const alert = r.stderr
        .split('\n')
        .filter((l) => l.includes('"plugin":"last-resort"'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(alert).to.have.length(1);
      expect(alert[0]!.level).to.equal(50);
      expect(alert[0]!.msg).to.include('crash-later: boom');
      const rows = new Database(db, { readonly: true }).prepare("SELECT data FROM hv_events WHERE type = 'process.crashed'").all() as {
        data: string;
      }[];
      expect(rows).to.have.length(1);
      expect(JSON.parse(rows[0]!.data)).to.include({ origin: 'uncaughtException' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
