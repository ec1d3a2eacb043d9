import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');

describe('logger redaction (the CLI logger in a child process, stderr captured)', () => {
  it('redacts a secret in the message and in nested fields', function () {
    this.timeout(60_000);
    const script = `
      import { createLogFactory } from './adapters/cli/logger.ts';
      const log = createLogFactory('info', ['DFAKE0005'])('tws');
      log.warn('TWS says: account DFAKE0005 is not managed', { detail: { text: 'error 321 for DFAKE0005' }, list: ['DFAKE0005'] });
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('account [redacted] is not managed');
    expect(r.stderr).to.contain('error 321 for [redacted]');
    expect(r.stderr).to.not.contain('DFAKE0005');
  });
});
