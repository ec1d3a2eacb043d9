import type { Micros } from '../domain/units.js';
import type { TrainingSample } from '../../ports/learner.js';
import type { MemoryContent, MemoryStore } from '../../ports/memory-store.js';
import {
  type ActiveMemory,
  BASELINE,
  type LearningMemory,
  type LoopLearner,
  activate,
  isLearningMemory,
  policyOf,
} from './active-memory.js';
import type { LearningConfig } from './learning-config.js';
import { type GateParams, type MonitorParams, gateParams, monitorParams } from './learning-params.js';
import { memoryChecksum } from './memory-checksum.js';
import { buildMemory, cutOffBoundsOf } from './memory-builder.js';
import { PostPromotionMonitor } from './post-promotion-monitor.js';
import { shadowGate } from './shadow-gate.js';
import { type ScoreRelation, scoreRelation } from './score-relation.js';
import { seedFrom } from '../domain/random.js';
import type { LearningRowType } from '../domain/journal-rows.js';

export interface PipelineDeps {
  learners: readonly LoopLearner[];
  config: LearningConfig;
  seed: number;
  store: MemoryStore;
  /** The memory strategies read (the engine's holder); replaced only through `post`. */
  holder: { current: ActiveMemory | null };
  /** Journal a row now (synchronously, in the loop's sequence). */
  journal(type: LearningRowType, data: Record<string, unknown>): void;
  /** Run a task at the next loop boundary (before the next market event). */
  post(task: () => void): void;
  /** False in SAFE_MODE or HALT: no promotion then. */
  canPromote(): boolean;
  learningUnstable(reason: string): void;
  /** The daily loss limit in Money units (0: none known), for the monitor's loss-share trigger. */
  dailyLossLimit: number;
  now(): Micros;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface StoredVersion {
  version: number;
  checksum: string;
  createdAt: Micros;
  content: MemoryContent;
}

const HOUR = 3_600_000_000;

/**
 * The closed loop of docs/learning.md#the-loop: trade closed → sample → every K real closes a candidate on a rolling window →
 * shadow gate → save → promote or reject → hot reload at the next loop boundary; after a promotion, the monitor
 * (docs/trading-safety.md#learning-guardrails) rolls back on deterioration. Everything that decides runs synchronously inside the event
 * loop, so a replay reproduces the same verdicts at the same loop sequence; only the store writes run behind, in order.
 *
 * Invariants: a learner sees samples only and returns a candidate; nothing here reaches an order (the strategy
 * reads memory and every intent still passes risk). No promotion in SAFE_MODE/HALT, none closer than
 * `minClosesBetweenPromotions` real closes to the last, at most `maxPromotionsPerSession`. A rolled-back checksum
 * is never promoted again in the session. Version 0 (static) is always the floor of a rollback.
 */
export class LearningPipeline {
  readonly gate: GateParams;
  readonly monitorParams: MonitorParams;
  private readonly window: TrainingSample[] = [];
  private readonly history: ActiveMemory[] = [];
  private readonly denied = new Set<string>();
  private realCloses = 0;
  /** Samples added since the last evaluation: how far the holdout moved, hence how often a sample is re-tested. */
  private sinceEvaluation = 0;
  private closesAtPromotion = -Infinity;
  private promotions = 0;
  private rollbacks = 0;
  private evaluations = 0;
  private lastVersion = 0;
  private monitor: PostPromotionMonitor | null = null;
  /** The in-force filter and the samples decided since it was promoted (real and ghost), which neither its build
   * nor its gate saw: the monitor's score–outcome relation check reads them. */
  private watch: { memory: ActiveMemory; from: Micros } | null = null;
  private fresh: TrainingSample[] = [];
  /** Checksum → Clock time of its promotion: a version rolled back to is judged on everything since its own. */
  private readonly promotedAt = new Map<string, Micros>();
  /** The memory in force once the reloads already posted have run: a trigger before the next loop boundary (two
   * samples labelled in one event) must roll back that one, not the one the holder still shows. */
  private upcoming: ActiveMemory | null = null;
  /** Clock time the memory in force was installed (trades decided before it belong to its predecessor). */
  private installedAt: Micros = 0;
  private io: Promise<void> = Promise.resolve();
  /** Counters for reports (sweep, benches). */
  readonly stats = { evaluations: 0, promotions: 0, rejections: 0, rollbacks: 0, deferred: 0 };

  constructor(private readonly d: PipelineDeps) {
    this.gate = gateParams.parse(d.config.gate);
    this.monitorParams = monitorParams.parse(d.config.monitor);
  }

  /**
   * Before the session's first event: earlier samples (oldest first), the newest stored version and the highest
   * version number in the store. Memory older than `maxAgeHours` is not used (static LMP instead).
   */
  start(
    samples: readonly TrainingSample[],
    latest: StoredVersion | null,
    highestVersion: number,
    /** The promoted version before `latest`, the target of a rollback (static LMP when absent). */
    previous: StoredVersion | null = null,
    /** Checksums earlier sessions rolled back: never in force again (a rollback to static cannot move the store's
     * latest — there is no earlier promoted version to return to — so the next session would load it again). */
    denied: readonly string[] = [],
    /** Version → Clock time of the journaled gate verdict that promoted it: samples decided since then are fresh. */
    promotedAt: ReadonlyMap<number, Micros> = new Map(),
  ): void {
    for (const c of denied) this.denied.add(c);
    for (const v of [latest, previous]) {
      const at = v === null ? undefined : promotedAt.get(v.version);
      if (v !== null && at !== undefined) this.promotedAt.set(v.checksum, at);
    }
    if (previous !== null && !this.denied.has(previous.checksum))
      this.history.push(activate(previous.version, previous.checksum, previous.content, this.d.learners));
    for (const s of samples) this.push(s);
    // The cadence counts real closes across sessions: a day with fewer than K trades still moves it on.
    this.realCloses = samples.filter((s) => !s.synthetic).length;
    this.lastVersion = highestVersion;
    let active = BASELINE;
    if (latest !== null) {
      const ageHours = (this.d.now() - latest.createdAt) / HOUR;
      if (ageHours > this.monitorParams.maxAgeHours) {
        this.d.journal('learning.memory-stale', {
          version: latest.version,
          checksum: latest.checksum,
          ageHours: Math.round(ageHours),
          maxAgeHours: this.monitorParams.maxAgeHours,
        });
      } else if (this.denied.has(latest.checksum)) {
        const back = this.history.pop() ?? BASELINE;
        this.d.journal('learning.memory-denied', { version: latest.version, checksum: latest.checksum, instead: back.version });
        active = back;
        this.watchFrom(back, this.d.now());
      } else {
        active = activate(latest.version, latest.checksum, latest.content, this.d.learners);
        this.watchFrom(active, this.promotedAt.get(active.checksum) ?? this.d.now());
      }
    }
    this.d.holder.current = active;
    this.upcoming = active;
    this.installedAt = this.d.now();
    if (active.version !== 0) this.monitor = this.newMonitor(active);
    this.d.journal('learning.started', {
      version: active.version,
      checksum: active.checksum,
      samples: this.window.length,
      learners: this.d.learners.map((l) => l.id),
    });
    if (active.version !== 0) this.gateOnLoad(active);
  }

  /**
   * The stored version is judged again on the most recent samples before the first decision: a version promoted by
   * force (`harvester memory promote --force`) or grown worse on recent data is rolled back here, so no entry is
   * ever decided under it. Cadence checks (holdout size, "changes a decision") do not apply to a version in force.
   */
  private gateOnLoad(active: ActiveMemory): void {
    const n = this.window.length;
    const holdoutN = Math.min(n, Math.max(this.gate.minHoldout, Math.round(n * this.gate.holdoutShare)));
    if (holdoutN < this.gate.minHoldout) return;
    const verdict = shadowGate({
      champion: policyOf(BASELINE),
      candidate: policyOf(active),
      holdout: this.window.slice(n - holdoutN),
      schemaMatches: true,
      params: this.gate,
      seed: seedFrom(this.d.seed, 'learning-load'),
    });
    const failed = verdict.failed.filter((f) => f !== 'no-change' && f !== 'holdout-size');
    this.d.journal('learning.gate-on-load', {
      version: active.version,
      checksum: active.checksum,
      pass: failed.length === 0,
      failed,
      figures: { ...verdict.figures },
    });
    if (failed.length > 0) this.rollback('gate-on-load');
  }

  /**
   * A labelled sample (real trade or ghost bracket). Real closes drive the cadence and the monitor, which counts
   * only trades decided after the version in force was installed; `netPnl` is the trade's result in Money units.
   */
  onSample(sample: TrainingSample, netPnl = 0): void {
    this.push(sample);
    const inverted = this.relationCheck(sample);
    if (sample.synthetic) return;
    this.realCloses++;
    if (!inverted && this.monitor !== null && sample.decidedAt >= this.installedAt) {
      const trigger = this.monitor.observe(sample.label.r, netPnl);
      if (trigger !== null) this.rollback(trigger);
    }
    if (this.realCloses % this.d.config.everyTrades === 0) this.evaluate();
  }

  /** Wait for the store writes queued so far (session end). */
  flush(): Promise<void> {
    return this.io;
  }

  get rollbackCount(): number {
    return this.rollbacks;
  }

  /** Watch `m` on the samples decided from `from` on; `known` the window's samples may already hold some of them (at
   * load and on a rollback), while at a promotion every sample in the window was the candidate's training or holdout. */
  private watchFrom(m: ActiveMemory, from: Micros, known = true): void {
    this.watch = m.minScore === null ? null : { memory: m, from };
    this.fresh = this.watch === null || !known ? [] : this.window.filter((s) => s.decidedAt >= from);
  }

  private relationOf(m: ActiveMemory): ScoreRelation {
    return scoreRelation(policyOf(m), this.fresh, { seed: seedFrom(this.d.seed, 'learning-relation'), iterations: this.gate.iterations });
  }

  /**
   * The filter's own scores against the outcomes of the samples decided since its promotion. On the planted market
   * it vetoes about one opportunity a day, so realised R (the CUSUM) learns of a flipped link only from the trades it
   * takes, days later; the relation reads every labelled opportunity (docs/learning.md#a-break-in-the-score-outcome-relation).
   * Returns true when it rolled back.
   */
  private relationCheck(sample: TrainingSample): boolean {
    if (this.watch === null || sample.decidedAt < this.watch.from) return false;
    this.fresh.push(sample);
    const max = this.d.config.window.max;
    if (this.fresh.length > max) this.fresh.splice(0, this.fresh.length - max);
    const rel = this.relationOf(this.watch.memory);
    if (rel.units < this.monitorParams.relationMinUnits || rel.pInverted >= this.monitorParams.relationAlpha) return false;
    this.rollback('score-inverted', rel);
    return true;
  }

  private push(s: TrainingSample): void {
    this.window.push(s);
    this.sinceEvaluation++;
    const max = this.d.config.window.max;
    if (this.window.length > max) this.window.splice(0, this.window.length - max);
  }

  /** Build a candidate on the window, gate it against the champion, save, then promote or reject. */
  evaluate(force = false): void {
    const n = this.window.length;
    if (n < this.d.config.window.min) return;
    this.evaluations++;
    this.stats.evaluations++;
    const holdoutN = Math.max(this.gate.minHoldout, Math.round(n * this.gate.holdoutShare));
    const train = this.window.slice(0, n - holdoutN);
    const holdout = this.window.slice(n - holdoutN);
    const seed = seedFrom(this.d.seed, `learning-${this.evaluations}`);
    // Consecutive holdouts overlap: each holdout sample is judged again by about holdoutN / (samples added since the
    // previous evaluation) evaluations. The selection test's level is split over those looks (Bonferroni), so the
    // chance that a no-skill candidate passes on a given stretch of data stays at selectionAlpha (docs/learning.md).
    const looks = Math.max(1, Math.ceil(holdoutN / Math.max(1, this.sinceEvaluation)));
    this.sinceEvaluation = 0;
    const built = this.compose(train, seed);
    if (built === null) return;
    const { content } = built;
    const checksum = memoryChecksum(content);
    const version = ++this.lastVersion;
    const candidate = activate(version, checksum, content, this.d.learners);
    const champion = this.d.holder.current ?? BASELINE;
    const verdict = shadowGate({
      champion: policyOf(champion),
      candidate: policyOf(candidate),
      holdout,
      schemaMatches: sameSchema(champion, content),
      params: { ...this.gate, selectionAlpha: this.gate.selectionAlpha / looks },
      seed,
      sectionsChanged:
        memoryChecksum((content as LearningMemory).sections) !==
        memoryChecksum(isLearningMemory(champion.content) ? champion.content.sections : {}),
    });
    const failed = [...verdict.failed];
    if (this.denied.has(checksum)) failed.push('deny-listed');
    const pass = failed.length === 0;
    let promote = pass;
    let held: string | null = null;
    // The holdout is older than the samples the champion's monitor reads: when those already lean against the
    // champion's scores, a candidate the holdout approves is most likely its near-copy from the old regime. Held, not
    // refused: it changes nothing until the monitor resolves (docs/learning.md#a-break-in-the-score-outcome-relation).
    const doubt = this.watch !== null && this.watch.memory.checksum === champion.checksum ? this.relationOf(this.watch.memory) : null;
    const inDoubt = doubt !== null && doubt.units >= this.monitorParams.relationMinUnits && doubt.statistic < 0;
    if (pass && !this.d.canPromote()) held = 'safe-mode';
    else if (pass && inDoubt) held = 'champion-in-doubt';
    else if (pass && this.realCloses - this.closesAtPromotion < this.monitorParams.minClosesBetweenPromotions) held = 'rate-limit';
    else if (pass && this.promotions >= this.monitorParams.maxPromotionsPerSession) held = 'session-cap';
    if (force && !this.d.canPromote()) held = 'safe-mode';
    else if (force) {
      held = null;
      promote = true;
    }
    if (held !== null) promote = false;
    this.d.journal('learning.gate', {
      version,
      checksum,
      pass,
      failed,
      promoted: promote,
      held,
      forced: force && !pass,
      champion: champion.version,
      trainedOn: train.length,
      trainedFrom: (content as LearningMemory).samples.ids[0] ?? null,
      trainedTo: (content as LearningMemory).samples.ids.at(-1) ?? null,
      holdout: holdout.length,
      looks,
      filter: (content as LearningMemory).filter,
      figures: { ...verdict.figures },
      championRelation:
        doubt === null ? null : { units: doubt.units, statistic: doubt.statistic, pInverted: Math.round(doubt.pInverted * 1e6) / 1e6 },
    });
    if (!pass && !force) this.stats.rejections++;
    if (held !== null && pass) this.stats.deferred++;
    const note = `${promote ? 'promoted' : pass ? `held:${held}` : `rejected:${failed.join(',')}`} ΔR lo ${verdict.figures.deltaLoR}`;
    this.persist(content, note, version, promote);
    if (promote) this.promote(candidate);
  }

  private compose(train: readonly TrainingSample[], seed: number): { content: LearningMemory & MemoryContent } | null {
    if (train.length === 0) return null;
    const built = buildMemory(this.d.learners, train, seed, cutOffBoundsOf(this.gate));
    for (const r of built.refusals)
      this.d.journal('learning.build-refused', { learnerId: r.id, code: r.code, reason: r.reason, samples: train.length });
    return built.ok ? { content: built.content } : null;
  }

  private promote(next: ActiveMemory): void {
    const current = this.upcoming ?? this.d.holder.current ?? BASELINE;
    this.history.push(current);
    this.promotions++;
    this.stats.promotions++;
    this.closesAtPromotion = this.realCloses;
    this.monitor = this.newMonitor(next);
    this.upcoming = next;
    this.promotedAt.set(next.checksum, this.d.now());
    this.watchFrom(next, this.d.now(), false);
    this.d.post(() => {
      this.d.holder.current = next;
      this.installedAt = this.d.now();
      this.d.journal('learning.reloaded', { version: next.version, checksum: next.checksum, previous: current.version });
    });
  }

  /** Roll back to the previous promoted version (static LMP at the floor) before the next entry decision. */
  rollback(trigger: string, relation?: ScoreRelation): void {
    const current = this.upcoming ?? this.d.holder.current ?? BASELINE;
    if (current.version === 0) return;
    this.denied.add(current.checksum);
    const previous = this.history.pop() ?? BASELINE;
    this.rollbacks++;
    this.stats.rollbacks++;
    this.monitor = previous.version === 0 ? null : this.newMonitor(previous);
    this.upcoming = previous;
    this.watchFrom(previous, this.promotedAt.get(previous.checksum) ?? this.d.now());
    const reading = this.monitor === null ? null : this.monitor.reading();
    this.d.journal('learning.rollback', {
      from: current.version,
      fromChecksum: current.checksum,
      to: previous.version,
      trigger,
      rollbacks: this.rollbacks,
      reading,
      ...(relation === undefined
        ? {}
        : { relation: { units: relation.units, statistic: relation.statistic, pInverted: Math.round(relation.pInverted * 1e6) / 1e6 } }),
    });
    this.d.post(() => {
      this.d.holder.current = previous;
      this.installedAt = this.d.now();
      this.d.journal('learning.reloaded', { version: previous.version, checksum: previous.checksum, previous: current.version });
    });
    this.io = this.io.then(async () => {
      const r = await this.d.store.rollback();
      if (!r.ok) this.d.warn('memory rollback in the store failed', { code: r.code, reason: r.reason });
    });
    if (this.rollbacks >= this.monitorParams.maxRollbacks) {
      this.d.journal('learning.unstable', { rollbacks: this.rollbacks });
      this.d.learningUnstable(`${this.rollbacks} memory rollbacks in this session`);
    }
  }

  private newMonitor(m: ActiveMemory): PostPromotionMonitor {
    const expected = isLearningMemory(m.content) ? m.content.expectedR : 0;
    return new PostPromotionMonitor(this.monitorParams, this.d.dailyLossLimit, expected);
  }

  /** Store writes run behind the loop, in order; their outcome is logged, never journaled (it would not replay). */
  private persist(content: MemoryContent, note: string, expectedVersion: number, promote: boolean): void {
    this.io = this.io
      .then(async () => {
        const saved = await this.d.store.save(content, note);
        if (!saved.ok) return this.d.warn('memory save failed', { code: saved.code, reason: saved.reason });
        if (saved.value.version !== expectedVersion)
          this.d.warn('memory store numbered the version differently', { expected: expectedVersion, stored: saved.value.version });
        const r = promote
          ? await this.d.store.promote(saved.value.version, { force: true })
          : await this.d.store.reject(saved.value.version, note);
        if (!r.ok) this.d.warn('memory promote/reject failed', { code: r.code, reason: r.reason });
      })
      .catch((error: unknown) => this.d.warn('memory write failed', { message: (error as Error).message }));
  }
}

function sameSchema(champion: ActiveMemory, content: LearningMemory): boolean {
  if (!isLearningMemory(champion.content)) return true;
  const a = champion.content.featureNames;
  const b = content.featureNames;
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
