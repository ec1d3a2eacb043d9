import { expect } from 'chai';
import { parseDbUrl, redactDbUrl } from '../../adapters/persistence/db-url.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';

describe('database urls (--db-url, store.params.url)', () => {
  it('reads freqtrade-style SQLite urls: three slashes then the path, four for an absolute one', () => {
    expect(parseDbUrl('sqlite:///var/h.sqlite')).to.deep.equal({ driver: 'sqlite', file: 'var/h.sqlite' });
    expect(parseDbUrl('sqlite:////tmp/h.sqlite')).to.deep.equal({ driver: 'sqlite', file: '/tmp/h.sqlite' });
  });

  it('accepts postgres:// and postgresql:// with host and database', () => {
    expect(parseDbUrl('postgres://u:p@127.0.0.1:5432/hv')).to.deep.equal({ driver: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/hv' });
    expect(parseDbUrl('postgresql://h/hv').driver).to.equal('postgres');
  });

  for (const bad of ['mysql://u:s3cret@h/db', 'h.sqlite', 'sqlite://h.sqlite', 'postgres://u:s3cret@h', 'postgres://u:s3cret@/db']) {
    it(`refuses ${bad.replace('s3cret', '…')} with the accepted forms, password redacted`, () => {
      let error: unknown;
      try {
        parseDbUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(HarvesterError);
      expect((error as HarvesterError).code).to.equal('STORE.URL_INVALID');
      expect((error as Error).message).to.contain('sqlite:///relative/path.sqlite').and.contain('postgres://user:password@host:port/database');
      expect((error as Error).message).to.not.contain('s3cret');
    });
  }

  it('redacts the password and nothing else', () => {
    expect(redactDbUrl('postgres://harvester:pa%40ss@127.0.0.1:5/hv?sslmode=disable')).to.equal('postgres://harvester:[redacted]@127.0.0.1:5/hv?sslmode=disable');
    expect(redactDbUrl('postgres://harvester@127.0.0.1/hv')).to.equal('postgres://harvester@127.0.0.1/hv');
    expect(redactDbUrl('sqlite:///var/h.sqlite')).to.equal('sqlite:///var/h.sqlite');
  });
});
