import { describeMemoryStoreConformance } from '../../plugins/conformance/index.js';
import { typeormMemoryHandle } from './support/typeorm-memory-handle.js';
import { typeormMemoryHandlePg } from './support/typeorm-memory-handle-pg.js';
import { pgTestUrl } from '../support/pg-test-db.js';

// The MemoryStore cards against the real TypeORM store on a real SQLite file (one file per card).
describeMemoryStoreConformance('typeorm-memory-store', {
  capabilities: { keepLast: 10, keepPromoted: 10, isDurable: true, schemaVersion: 1 },
  driverFeatures: ['corrupt', 'writeSchema', 'failWrite'],
  reportDir: 'var/conformance-report',
  create: typeormMemoryHandle,
});

// …and on a real PostgreSQL server (HARVESTER_TEST_PG_URL; required under CI=true, see test/support/pg-test-db.ts).
const pgUrl = process.env.HARVESTER_TEST_PG_URL;
if (pgUrl !== undefined && pgUrl !== '') {
  describeMemoryStoreConformance('typeorm-memory-store-postgres', {
    capabilities: { keepLast: 10, keepPromoted: 10, isDurable: true, schemaVersion: 1 },
    driverFeatures: ['corrupt', 'writeSchema'],
    reportDir: 'var/conformance-report',
    create: typeormMemoryHandlePg(pgUrl),
  });
} else {
  describe('typeorm-memory-store-postgres', () => {
    it('runs the MemoryStore cards on PostgreSQL (needs HARVESTER_TEST_PG_URL)', function () {
      pgTestUrl(this);
    });
  });
}
