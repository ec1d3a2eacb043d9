import fc from 'fast-check';

// Property specs run on a fixed seed so that CI is reproducible; set HARVESTER_FC_SEED to explore other seeds
// (fast-check prints the seed and path of any counterexample it finds).
const seed = process.env.HARVESTER_FC_SEED;
fc.configureGlobal({ seed: seed === undefined ? 20261124 : Number(seed) });
