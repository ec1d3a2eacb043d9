import { describeMemoryStoreConformance } from './kit/index.js';
import { typeormMemoryHandle } from './support/typeorm-memory-handle.js';

// The MemoryStore cards against the real TypeORM store on a real SQLite file (one file per card).
describeMemoryStoreConformance('typeorm-memory-store', {
  capabilities: { keepLast: 10, keepPromoted: 10, isDurable: true, schemaVersion: 1 },
  driverFeatures: ['corrupt', 'writeSchema', 'failWrite'],
  reportDir: 'var/conformance-report',
  create: typeormMemoryHandle,
});
