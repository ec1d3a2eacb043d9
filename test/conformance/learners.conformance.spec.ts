import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { Sfc32 } from '../../core/domain/random.js';
import type { LearnerManifest } from '../../plugins/sdk/manifest.js';
import { describeLearnerConformance, type LearnerCapabilities } from '../../plugins/conformance/index.js';

// Every learner under learners/<id>/ is run through the LRN cards. Capabilities are declared here per id; a
// learner without a declaration runs with the defaults (finite scores, no minimum sample count).
const DECLARED: Record<string, LearnerCapabilities> = {
  none: { scoreRange: [0, 0], neutralScore: 0, minSamples: 0 },
  'meta-label': { scoreRange: [0, 1], minSamples: 30, lookaheadParam: 'features' },
  'threshold-tuner': { scoreRange: [0, 1], minSamples: 30 },
  'exec-memory': { minSamples: 20 },
};

const root = join(process.cwd(), 'learners');
const ids = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'index.ts')))
      .map((d) => d.name)
      .sort()
  : [];
const manifests = await Promise.all(
  ids.map(async (id) => ({ id, manifest: (await import(join(root, id, 'index.ts'))).default as LearnerManifest<unknown> })),
);

for (const { id, manifest } of manifests) {
  describeLearnerConformance(`learner-${id}`, {
    create: () =>
      manifest.create({
        pluginId: manifest.id,
        params: manifest.paramsSchema.parse({}),
        clock: new ManualClock(0),
        log: { debug() {}, info() {}, warn() {} },
        random: new Sfc32(7),
        mode: 'replay',
        seed: 7,
      }),
    capabilities: DECLARED[id] ?? {},
    reportDir: 'var/conformance-report',
  });
}
