import { expect } from 'chai';
import type { Learner, LearnerCandidate, TrainingSample } from '../../../ports/learner.js';
import { InvariantViolation, SequenceMismatch, type CardDef } from '../card.js';
import { registerMochaSuite, type CommonSuiteOptions, type PortSuite } from '../suite.js';
import { LATEST_ALLOWED, knownAtOf, knownAtRank } from '../../../ports/feature-spec.js';
import { Sfc32 } from '../../../core/domain/random.js';
import {
  KIT_FEATURE_BOUNDS,
  KIT_FEATURE_NAMES,
  KIT_LATE_FEATURE_NAMES,
  KIT_SAMPLES,
  KIT_VECTORS,
  cloneSamples,
  deepFreeze,
  shuffled,
  withLateColumns,
} from './learner-samples.js';

export interface LearnerCapabilities {
  /** Inclusive score range; default: any finite number. */
  scoreRange?: readonly [number, number];
  /** Feature names and per-feature bounds the learner accepts; default: the kit's layout. */
  featureSchema?: { names: readonly string[]; bounds: readonly (readonly [number, number])[] };
  /** Fewer samples give `NoCandidate{LEARNER.TOO_FEW_SAMPLES}`; 0 disables LRN-06 (docs/conformance-cards.md#lrn-06). */
  minSamples?: number;
  /** The learner depends on sample order; LRN-02 (docs/conformance-cards.md#lrn-02) then checks frozen inputs only. */
  orderSensitive?: boolean;
  /** A learner that always returns one neutral score (the noop learner). */
  neutralScore?: number;
  /** The params key naming the columns the learner reads; LRN-07 (docs/conformance-cards.md#lrn-07) asks it for a post-decision column. */
  lookaheadParam?: string;
}

export interface LearnerSuiteOptions extends CommonSuiteOptions {
  create: (ctx: {
    card: string;
  }) =>
    | Learner
    | { subject: Learner; dispose?: () => void | Promise<void> }
    | Promise<Learner | { subject: Learner; dispose?: () => void | Promise<void> }>;
  capabilities?: LearnerCapabilities;
  /** Learner params passed to `build`. */
  params?: Readonly<Record<string, unknown>>;
  /** Override the kit's sample set (it must follow `featureSchema`). */
  samples?: readonly TrainingSample[];
  vectors?: readonly (readonly number[])[];
}

export interface LearnerRun {
  fresh(): Promise<Learner>;
  readonly caps: LearnerCapabilities;
  readonly samples: readonly TrainingSample[];
  readonly vectors: readonly (readonly number[])[];
  readonly names: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  /** L1/L3 violations collected while the card ran. */
  readonly violations: string[];
}

function buildOk(r: LearnerRun, learner: Learner, samples: readonly TrainingSample[], seed = 7): LearnerCandidate {
  const res = learner.build(samples, { seed, params: r.params });
  if (!res.ok) throw new SequenceMismatch(`build returned NoCandidate ${res.code}: ${res.reason}`, ['a candidate'], [res.code]);
  return res.candidate;
}

function scores(r: LearnerRun, learner: Learner, c: LearnerCandidate, vectors = r.vectors): number[] {
  return vectors.map((v, i) => {
    const s = learner.score(c, r.names, v);
    if (!s.ok) throw new SequenceMismatch(`score refused vector #${i}: ${s.code}`, ['a score'], [s.code]);
    if (!Number.isFinite(s.score)) r.violations.push(`L3: vector #${i} scored ${s.score}`);
    return s.score;
  });
}

export const LEARNER_CARDS: readonly CardDef<LearnerRun>[] = [
  {
    id: 'LRN-01', // docs/conformance-cards.md#lrn-01
    title: 'A candidate build is deterministic',
    baseline: true,
    run: async (r) => {
      const a = await r.fresh();
      const b = await r.fresh();
      const ca = buildOk(r, a, r.samples);
      const cb = buildOk(r, b, r.samples);
      expect(b.serialize(cb), 'two fresh instances, same samples and seed').to.equal(a.serialize(ca));
      expect(scores(r, b, cb), 'scores on the kit vectors').to.deep.equal(scores(r, a, ca));
      expect(ca.learnerId, 'the candidate records the learner id').to.equal(a.id);
      expect(ca.trainedOn, 'and the sample count').to.equal(r.samples.length);
    },
  },
  {
    id: 'LRN-02', // docs/conformance-cards.md#lrn-02
    title: 'Sample order does not matter, and inputs stay intact',
    baseline: true,
    run: async (r) => {
      const learner = await r.fresh();
      const canonical = deepFreeze(cloneSamples(r.samples));
      const before = JSON.stringify(canonical);
      const reference = learner.serialize(buildOk(r, learner, canonical));
      expect(JSON.stringify(canonical), 'inputs unchanged').to.equal(before);
      if (r.caps.orderSensitive === true) return;
      for (const seed of [1, 2, 3, 4, 5]) {
        const s = deepFreeze(shuffled(cloneSamples(r.samples), seed));
        expect(learner.serialize(buildOk(r, learner, s)), `candidate bytes, shuffle seed ${seed}`).to.equal(reference);
      }
    },
  },
  {
    id: 'LRN-03', // docs/conformance-cards.md#lrn-03
    title: 'Serialization round trip',
    baseline: true,
    run: async (r) => {
      const learner = await r.fresh();
      const c = buildOk(r, learner, r.samples);
      const text = learner.serialize(c);
      const back = learner.deserialize(text);
      expect(back.ok, 'deserialize(serialize(c))').to.equal(true);
      if (!back.ok) return;
      expect(learner.serialize(back.candidate), 'second serialization').to.equal(text);
      expect(scores(r, learner, back.candidate), 'scores of the round-tripped model').to.deep.equal(scores(r, learner, c));
      expect({ id: back.candidate.learnerId, fmt: back.candidate.formatVersion, names: [...back.candidate.featureNames] }).to.deep.equal({
        id: c.learnerId,
        fmt: c.formatVersion,
        names: [...c.featureNames],
      });
      const foreign: string[] = [
        '{"learnerId":"kit-foreign","formatVersion":1,"featureNames":[],"trainedOn":0,"payload":{}}',
        'not a model',
      ];
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        foreign.push(JSON.stringify({ ...parsed, learnerId: 'kit-foreign' }), JSON.stringify({ ...parsed, formatVersion: 9_999 }));
      } catch {
        // An opaque format: the generic foreign blobs above still apply.
      }
      for (const blob of foreign) {
        const res = learner.deserialize(blob);
        expect(res.ok ? 'ok' : res.code, `deserialize(${blob.slice(0, 40)}…)`).to.equal('LEARNER.FORMAT_UNSUPPORTED');
      }
    },
  },
  {
    id: 'LRN-04', // docs/conformance-cards.md#lrn-04
    title: 'Scores stay in the declared range',
    baseline: true,
    run: async (r) => {
      const learner = await r.fresh();
      const c = buildOk(r, learner, r.samples);
      const bounds = r.caps.featureSchema?.bounds ?? KIT_FEATURE_BOUNDS;
      const edges = [bounds.map((b) => b[0]), bounds.map((b) => b[1]), bounds.map(() => 0)];
      const all = [...scores(r, learner, c), ...scores(r, learner, c, edges)];
      const [lo, hi] = r.caps.scoreRange ?? [-Infinity, Infinity];
      for (const s of all) expect(s >= lo && s <= hi, `score ${s} within [${lo}, ${hi}]`).to.equal(true);
      expect(scores(r, learner, c, [r.vectors[0]!]), 'equal inputs, equal scores').to.deep.equal(
        scores(r, learner, c, [[...r.vectors[0]!]]),
      );
      if (r.caps.neutralScore !== undefined)
        expect(new Set(all), 'a noop learner returns its neutral score').to.deep.equal(new Set([r.caps.neutralScore]));
    },
  },
  {
    id: 'LRN-05', // docs/conformance-cards.md#lrn-05
    title: 'Mismatched features are refused, not scored',
    baseline: true,
    run: async (r) => {
      const learner = await r.fresh();
      const c = buildOk(r, learner, r.samples);
      const v = [...r.vectors[0]!];
      const cases: [string, readonly string[], number[]][] = [
        ['a missing feature', r.names.slice(1), v.slice(1)],
        ['an extra feature', [...r.names, 'kit_extra'], [...v, 0]],
        ['a NaN', r.names, v.map((x, i) => (i === 2 ? Number.NaN : x))],
        ['an Infinity', r.names, v.map((x, i) => (i === 2 ? Number.POSITIVE_INFINITY : x))],
      ];
      for (const [label, names, values] of cases) {
        const res = learner.score(c, names, values);
        expect(res.ok ? `score ${res.score}` : res.code, label).to.be.oneOf(['LEARNER.FEATURE_MISMATCH', 'LEARNER.INVALID_FEATURE']);
      }
    },
  },
  {
    id: 'LRN-06', // docs/conformance-cards.md#lrn-06
    title: 'Too few samples give no candidate',
    baseline: false,
    applies: (env) =>
      ((env.capabilities.minSamples as number | undefined) ?? 0) > 0
        ? null
        : `requires minSamples > 0; declared ${String(env.capabilities.minSamples ?? 0)}`,
    run: async (r) => {
      const learner = await r.fresh();
      const min = r.caps.minSamples!;
      for (const n of [0, min - 1]) {
        const res = learner.build(r.samples.slice(0, n), { seed: 7, params: r.params });
        expect(res.ok ? 'candidate' : res.code, `build with ${n} samples`).to.equal('LEARNER.TOO_FEW_SAMPLES');
      }
      const wins = r.samples.filter((s) => s.label.win).slice(0, min);
      const res = learner.build(wins, { seed: 7, params: r.params });
      if (res.ok) scores(r, learner, res.candidate);
      else expect(res.code, 'all wins').to.equal('LEARNER.DEGENERATE_LABELS');
    },
  },
  {
    id: 'LRN-07', // docs/conformance-cards.md#lrn-07
    title: 'No look-ahead: columns known after the purpose allows cannot move the candidate, and asking for one is refused',
    baseline: true,
    run: async (r) => {
      const learner = await r.fresh();
      const limit = knownAtRank(LATEST_ALLOWED[learner.purpose]);
      const late = KIT_LATE_FEATURE_NAMES.filter((n) => knownAtRank(knownAtOf(n)!) > limit);
      expect(late.length, `the kit has columns later than ${LATEST_ALLOWED[learner.purpose]}`).to.be.greaterThan(0);
      const lateIdx = KIT_LATE_FEATURE_NAMES.map((n) => late.includes(n));
      // Two sample sets that differ only after the decision: one where the late columns replay the label (a perfect
      // leak), one where they are noise. The permitted columns are the same in both.
      const rng = new Sfc32(99);
      const leak = withLateColumns(r.samples, (s) => KIT_LATE_FEATURE_NAMES.map((_, j) => (lateIdx[j] ? s.label.r * 10 : 0.25)));
      const noise = withLateColumns(r.samples, () =>
        KIT_LATE_FEATURE_NAMES.map((_, j) => (lateIdx[j] ? Math.round(rng.next() * 1000) / 100 : 0.25)),
      );
      const ca = learner.build(leak, { seed: 7, params: r.params });
      const cb = learner.build(noise, { seed: 7, params: r.params });
      if (ca.ok !== cb.ok)
        throw new SequenceMismatch('late columns changed whether a candidate is built', [String(cb.ok)], [String(ca.ok)]);
      if (ca.ok && cb.ok) {
        expect(learner.serialize(ca.candidate), 'candidate bytes with leaked vs noisy late columns').to.equal(
          learner.serialize(cb.candidate),
        );
        const names = [...r.names, ...KIT_LATE_FEATURE_NAMES];
        const vecs = r.vectors.slice(0, 50);
        const sa = vecs.map((v, i) =>
          learner.score(ca.candidate, names, [...v, ...KIT_LATE_FEATURE_NAMES.map((_, j) => (lateIdx[j] ? i : 0.25))]),
        );
        const sb = vecs.map((v, i) =>
          learner.score(cb.candidate, names, [...v, ...KIT_LATE_FEATURE_NAMES.map((_, j) => (lateIdx[j] ? -i : 0.25))]),
        );
        expect(
          sa.map((x) => (x.ok ? x.score : x.code)),
          'scores ignore late columns',
        ).to.deep.equal(sb.map((x) => (x.ok ? x.score : x.code)));
      } else if (!ca.ok) {
        expect(ca.code, 'a learner that refuses samples carrying late columns says so').to.equal('LEARNER.LOOKAHEAD');
      }
      const key = r.caps.lookaheadParam;
      if (key === undefined) return;
      const asked = learner.build(leak, { seed: 7, params: { ...r.params, [key]: [...r.names.slice(0, 3), late[0]!] } });
      expect(asked.ok ? 'candidate' : asked.code, `build asked (params.${key}) for ${late[0]}`).to.equal('LEARNER.LOOKAHEAD');
    },
  },
];

/** Replaces wall time and global randomness with recorders for the card's duration (L1). */
function trapGlobals(violations: string[]): () => void {
  const random = Math.random;
  const now = Date.now;
  const perfNow = performance.now.bind(performance);
  const OriginalDate = globalThis.Date;
  Math.random = () => (violations.push('L1: Math.random() called'), random());
  Date.now = () => (violations.push('L1: Date.now() called'), now());
  performance.now = () => (violations.push('L1: performance.now() called'), perfNow());
  class TrappedDate extends OriginalDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) violations.push('L1: new Date() called');
      super(...(args as [number]));
    }
  }
  globalThis.Date = TrappedDate as DateConstructor;
  return () => {
    Math.random = random;
    Date.now = now;
    performance.now = perfNow;
    globalThis.Date = OriginalDate;
  };
}

export function buildLearnerSuite(name: string, options: LearnerSuiteOptions): PortSuite<LearnerRun> {
  const caps = options.capabilities ?? {};
  const execute = async (card: CardDef<LearnerRun>): Promise<void> => {
    const disposers: (() => void | Promise<void>)[] = [];
    const violations: string[] = [];
    const run: LearnerRun = {
      caps,
      violations,
      params: options.params ?? {},
      samples: options.samples ?? KIT_SAMPLES,
      vectors: options.vectors ?? KIT_VECTORS,
      names: caps.featureSchema?.names ?? KIT_FEATURE_NAMES,
      fresh: async () => {
        const made = await options.create({ card: card.id });
        if ('subject' in made) {
          if (made.dispose) disposers.push(made.dispose);
          return made.subject;
        }
        return made;
      },
    };
    const restore = trapGlobals(violations);
    try {
      await card.run!(run);
    } finally {
      restore();
      for (const d of disposers) await d();
    }
    if (violations.length > 0) throw new InvariantViolation([...new Set(violations)], []);
  };
  return {
    port: 'Learner',
    name,
    cards: LEARNER_CARDS,
    fixtures: { samples: (options.samples ?? KIT_SAMPLES).length, vectors: (options.vectors ?? KIT_VECTORS).length },
    options,
    execute,
    env: { capabilities: caps as Record<string, unknown>, driverFeatures: new Set(), isLive: false },
  };
}

/** Registers the Learner conformance suite (cards LRN, monitors L1–L3). */
export function describeLearnerConformance(name: string, options: LearnerSuiteOptions): void {
  registerMochaSuite(buildLearnerSuite(name, options));
}
