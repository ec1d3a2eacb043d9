// Run as a child process by test/integration/memory-files.spec.ts: opens the store on the given SQLite file and
// memory folder, then saves (or saves and promotes, or rolls the only promoted version back to the static baseline)
// while a hook kills this very process with SIGKILL between the temp file's fsync and its rename — a real kill
// mid-save, not a thrown error.
import { createDataSource, TypeormMemoryStore } from '../../adapters/persistence/index.js';

const [file, dir, mode] = process.argv.slice(2) as [string, string, 'save' | 'promote' | 'rollback'];
const ds = await createDataSource({ driver: 'sqlite', file });
let armed = mode === 'save';
const store = new TypeormMemoryStore(ds, {
  namespace: 'kill',
  now: () => 2,
  dir,
  fileHooks: {
    beforeRename: () => {
      if (armed) process.kill(process.pid, 'SIGKILL');
    },
  },
});
if (mode === 'rollback') {
  armed = true;
  await store.rollback();
} else {
  const saved = await store.save({ thresholds: { minImbalance: 0.3 }, n: 2 });
  if (mode === 'promote' && saved.ok) {
    armed = true;
    await store.promote(saved.value.version);
  }
}
process.stdout.write('not killed\n');
await ds.destroy();
