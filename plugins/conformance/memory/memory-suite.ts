import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { MemoryContent, MemoryStore } from '../../../ports/memory-store.js';
import { InvariantViolation, SequenceMismatch, requires, type CardDef } from '../card.js';
import { EventRecorder, expectCount, expectNone, expectSequence, step } from '../recorder.js';
import { registerMochaSuite, type CommonSuiteOptions, type PortSuite } from '../suite.js';
import { DEFAULT_START } from '../broker/broker-suite.js';

/** Raw access to the store's backing (docs/conformance-kit.md#drivers): `corrupt` and `writeSchema` are the minimal memory driver. */
export interface MemoryDriver {
  /** Flip stored bytes of `version`'s payload so its checksum no longer verifies. */
  corrupt(version: number): void | Promise<void>;
  /** Store `content` as a new version under `schemaVersion` and make it the latest; returns its version number. */
  writeSchema(schemaVersion: number, content: MemoryContent): number | Promise<number>;
  /** Make the next write fail halfway. */
  failWrite?(): void | Promise<void>;
}

export interface MemoryCapabilities {
  /** Candidate and rejected versions kept (default 10). */
  keepLast?: number;
  /** Promoted versions kept for rollback, counted apart from candidates (default 10). */
  keepPromoted?: number;
  /** Older schema versions the store migrates on load. */
  migratesFrom?: readonly number[];
  /** The store survives a close and reopen on the same backing. */
  isDurable?: boolean;
  /** The current schema version written by `save` (default 1). */
  schemaVersion?: number;
}

export interface MemoryCreateContext {
  readonly clock: ManualClock;
  readonly card: string;
  /** Set when a card reopens the store on the same backing (MEM-09, docs/conformance-cards.md#mem-09). */
  readonly reopen?: MemorySubjectHandle;
}

export interface MemorySubjectHandle {
  subject: MemoryStore;
  driver?: MemoryDriver;
  /** Close the subject, keeping the backing (used before a reopen). */
  close?: () => void | Promise<void>;
  /** Release the subject and its backing. */
  dispose?: () => void | Promise<void>;
}

export interface MemorySuiteOptions extends CommonSuiteOptions {
  create: (ctx: MemoryCreateContext) => MemorySubjectHandle | Promise<MemorySubjectHandle>;
  capabilities?: MemoryCapabilities;
  driverFeatures?: readonly ('corrupt' | 'writeSchema' | 'failWrite')[];
}

export interface MemoryRun {
  readonly store: MemoryStore;
  readonly driver: MemoryDriver | undefined;
  readonly clock: ManualClock;
  readonly rec: EventRecorder;
  readonly caps: Required<Pick<MemoryCapabilities, 'keepLast' | 'keepPromoted' | 'schemaVersion'>> & MemoryCapabilities;
  venue(): MemoryDriver;
  reopen(): Promise<MemoryRun>;
}

const MEMORY_EVENTS = ['memory.saved', 'memory.promoted', 'memory.rolled-back', 'memory.quarantined', 'memory.pruned'];

/** Canonical JSON (sorted keys, no insignificant whitespace), the checksum's input (docs/conformance-kit.md#memory-checksum). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function sha256Canonical(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

const M = (n: number): MemoryContent => ({ thresholds: { imbalance: 0.2 + n / 100, spreadTicks: 2 }, version: n, tags: ['a', 'b'] });

async function saved(r: MemoryRun, content: MemoryContent): Promise<number> {
  const res = await r.store.save(content);
  if (!res.ok) throw new SequenceMismatch(`save failed: ${res.code} ${res.reason}`, ['save ok'], r.rec.lines());
  return res.value.version;
}

async function savedPromoted(r: MemoryRun, content: MemoryContent): Promise<number> {
  const v = await saved(r, content);
  const p = await r.store.promote(v);
  if (!p.ok) throw new SequenceMismatch(`promote(${v}) failed: ${p.code}`, ['promote ok'], r.rec.lines());
  return v;
}

async function latestVersion(r: MemoryRun): Promise<number | null> {
  return (await r.store.loadLatest())?.meta.version ?? null;
}

const f = requires.feature;

export const MEMORY_CARDS: readonly CardDef<MemoryRun>[] = [
  {
    id: 'MEM-01', // docs/conformance-cards.md#mem-01
    title: 'Save, promote and load keep content, version and checksum',
    baseline: true,
    run: async (r) => {
      r.clock.advanceTo(r.clock.now() + 1_000_000);
      const res = await r.store.save(M(1));
      expect(res.ok, 'save(M1)').to.equal(true);
      if (!res.ok) return;
      const v1 = res.value.version;
      expect(res.value.createdAt, 'createdAt is Clock time').to.equal(r.clock.now());
      expect(res.value.schemaVersion, 'schemaVersion').to.equal(r.caps.schemaVersion);
      expect(res.value.checksum, 'checksum').to.equal(sha256Canonical(M(1)));
      await r.store.promote(v1);
      expectSequence(r.rec.events, [step('memory.saved', { version: v1 }), step('memory.promoted', { version: v1, previous: null })]);
      const latest = await r.store.loadLatest();
      expect(latest?.content, 'loadLatest() content').to.deep.equal(M(1));
      expect(latest?.meta.version).to.equal(v1);
      const reordered = Object.fromEntries(Object.entries(M(1)).reverse());
      const res2 = await r.store.save(reordered);
      expect(res2.ok && res2.value.checksum, 'checksum of M1 with keys reordered').to.equal(res.value.checksum);
      expect(res2.ok && res2.value.version, 'versions increase strictly').to.be.greaterThan(v1);
    },
  },
  {
    id: 'MEM-02', // docs/conformance-cards.md#mem-02
    title: 'A corrupt version is quarantined, never loaded',
    baseline: true,
    applies: f('corrupt'),
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      const v2 = await savedPromoted(r, M(2));
      await r.venue().corrupt(v2);
      const latest = await r.store.loadLatest();
      expectSequence(r.rec.events, [step('memory.quarantined', { version: v2, code: 'MEMORY.CHECKSUM_MISMATCH' })]);
      expect(latest?.meta.version, 'loadLatest() falls back to').to.equal(v1);
      expect(latest?.content).to.deep.equal(M(1));
      const row = (await r.store.list()).find((m) => m.version === v2);
      expect(row?.status, 'list() shows v2 as').to.equal('quarantined');
      const p = await r.store.promote(v2);
      expect(p.ok ? 'ok' : p.code, 'promote(v2)').to.equal('MEMORY.VERSION_QUARANTINED');
    },
  },
  {
    id: 'MEM-03', // docs/conformance-cards.md#mem-03
    title: 'An unsupported schema version is not loaded',
    baseline: true,
    applies: f('writeSchema'),
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      const v2 = await r.venue().writeSchema(r.caps.schemaVersion + 1, M(2));
      const latest = await r.store.loadLatest();
      expectSequence(r.rec.events, [step('memory.quarantined', { version: v2, code: 'MEMORY.SCHEMA_UNSUPPORTED' })]);
      expect(latest?.meta.version, 'loadLatest() skips v2').to.equal(v1);
      const older = r.caps.migratesFrom?.[0];
      if (older !== undefined) {
        const v3 = await r.venue().writeSchema(older, M(3));
        const migrated = await r.store.loadLatest();
        expect(migrated?.meta.version, 'v3 loads through migration').to.equal(v3);
        expect(migrated?.meta.schemaVersion, 'and comes back in the current schema').to.equal(r.caps.schemaVersion);
      }
    },
  },
  {
    id: 'MEM-04', // docs/conformance-cards.md#mem-04
    title: 'An interrupted save leaves the previous latest intact',
    baseline: false,
    applies: f('failWrite'),
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      await r.venue().failWrite!();
      const res = await r.store.save(M(2));
      expect(res.ok ? 'ok' : res.code, 'save during a failing write').to.equal('MEMORY.WRITE_FAILED');
      const partial = (await r.store.list()).filter((m) => m.version !== v1 && m.status !== 'quarantined');
      expect(partial, 'no partial version listed').to.deep.equal([]);
      expect(await latestVersion(r)).to.equal(v1);
      const next = await saved(r, M(3));
      expect(next, 'the next save gets a fresh version').to.be.greaterThan(v1);
    },
  },
  {
    id: 'MEM-05', // docs/conformance-cards.md#mem-05
    title: 'Promote makes the chosen version latest',
    baseline: true,
    run: async (r) => {
      await saved(r, M(1));
      const v2 = await savedPromoted(r, M(2));
      const v3 = await saved(r, M(3));
      await saved(r, M(4));
      const m = r.rec.mark();
      await r.store.promote(v3);
      expectSequence(r.rec.since(m), [step('memory.promoted', { version: v3, previous: v2 })]);
      expect(await latestVersion(r), 'latest after promote(v3), although v4 is newer').to.equal(v3);
      const m2 = r.rec.mark();
      const again = await r.store.promote(v3);
      expect(again.ok, 'promote(v3) again').to.equal(true);
      expectNone(r.rec.since(m2), 'memory.promoted', undefined, 'a second promote emits nothing');
      const unknown = await r.store.promote(99);
      expect(unknown.ok ? 'ok' : unknown.code, 'promote(v99)').to.equal('MEMORY.UNKNOWN_VERSION');
    },
  },
  {
    id: 'MEM-06', // docs/conformance-cards.md#mem-06
    variant: 'a',
    title: 'Rollback steps back through the promotions',
    baseline: true,
    run: async (r) => {
      const [v1, v2, v3] = [await savedPromoted(r, M(1)), await savedPromoted(r, M(2)), await savedPromoted(r, M(3))];
      const m = r.rec.mark();
      await r.store.rollback();
      await r.store.rollback();
      const third = await r.store.rollback();
      const fourth = await r.store.rollback();
      expectSequence(r.rec.since(m), [
        step('memory.rolled-back', { from: v3, to: v2 }),
        step('memory.rolled-back', { from: v2, to: v1 }),
        step('memory.rolled-back', { from: v1, to: 0 }),
      ]);
      expect(third.ok ? third.value.version : third.code, 'third rollback lands on the baseline').to.equal(0);
      expect(fourth.ok ? 'ok' : fourth.code, 'a rollback from the baseline').to.equal('MEMORY.NO_PREVIOUS_VERSION');
      expect(await latestVersion(r), 'nothing in force on the baseline').to.equal(null);
    },
  },
  {
    id: 'MEM-06', // docs/conformance-cards.md#mem-06
    variant: 'c',
    title: 'Rollback of the only promoted version returns to the static baseline (v0)',
    baseline: true,
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      const v2 = await saved(r, M(2));
      const m = r.rec.mark();
      const back = await r.store.rollback();
      expectSequence(r.rec.since(m), [step('memory.rolled-back', { from: v1, to: 0 })]);
      expect(back.ok ? back.value.version : back.code, 'rollback() of the only promotion').to.equal(0);
      expect(await r.store.loadLatest(), 'loadLatest() on the baseline').to.equal(null);
      const listed = await r.store.list();
      expect(
        listed.map((x) => [x.version, x.status, x.current === true]),
        'list(): the version left is rejected, none in force',
      ).to.deep.equal([
        [v2, 'candidate', false],
        [v1, 'rejected', false],
      ]);
      const plain = await r.store.promote(v1);
      expect(plain.ok ? 'ok' : plain.code, 'promote(the version rolled back)').to.equal('MEMORY.VERSION_REJECTED');
      expect(await latestVersion(r), 'still the baseline').to.equal(null);
      const next = await r.store.promote(v2);
      expect(next.ok, 'a new candidate can be promoted from the baseline').to.equal(true);
      const m2 = r.rec.mark();
      await r.store.rollback();
      expectSequence(r.rec.since(m2), [step('memory.rolled-back', { from: v2, to: 0 })]);
    },
  },
  {
    id: 'MEM-06', // docs/conformance-cards.md#mem-06
    variant: 'd',
    title: 'A rollback to the baseline survives a reopen',
    baseline: false,
    applies: requires.flag('isDurable'),
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      const back = await r.store.rollback();
      expect(back.ok ? back.value.version : back.code, 'rollback() of the only promotion').to.equal(0);
      const r2 = await r.reopen();
      expect(await latestVersion(r2), 'loadLatest() after reopen: the baseline, not the version rolled back').to.equal(null);
      const again = await r2.store.rollback();
      expect(again.ok ? 'ok' : again.code, 'rollback() from the baseline after reopen').to.equal('MEMORY.NO_PREVIOUS_VERSION');
      const got = await r2.store.get(v1);
      expect(got.ok && got.value.meta.status, 'the rolled-back version is kept, rejected').to.equal('rejected');
    },
  },
  {
    id: 'MEM-06', // docs/conformance-cards.md#mem-06
    variant: 'b',
    title: 'Rollback skips a corrupted version',
    baseline: true,
    applies: f('corrupt'),
    run: async (r) => {
      const [v1, v2, v3] = [await savedPromoted(r, M(1)), await savedPromoted(r, M(2)), await savedPromoted(r, M(3))];
      await r.venue().corrupt(v2);
      const m = r.rec.mark();
      await r.store.rollback();
      expectSequence(r.rec.since(m), [step('memory.quarantined', { version: v2 }), step('memory.rolled-back', { from: v3, to: v1 })]);
      expect(await latestVersion(r)).to.equal(v1);
    },
  },
  {
    id: 'MEM-07', // docs/conformance-cards.md#mem-07
    title: 'Keep the last N candidates and the last N promoted apart; never prune what is in use',
    baseline: true,
    run: async (r) => {
      const n = r.caps.keepLast;
      const p = r.caps.keepPromoted;
      const vs: number[] = [];
      for (let i = 1; i <= p + 2; i++) vs.push(await savedPromoted(r, M(i)));
      // An old promoted version promoted again is in force and moves to the front of the promotion history.
      await r.store.promote(vs[2]!);
      const cs: number[] = [];
      for (let i = 1; i <= n + 3; i++) cs.push(await saved(r, M(100 + i)));
      const pruned = r.rec.of('memory.pruned').flatMap((e) => e.payload.versions as number[]);
      expect(pruned, 'pruned versions').to.include.members([vs[0]!, vs[1]!, cs[0]!, cs[1]!, cs[2]!]);
      const listed = (await r.store.list()).map((x) => x.version);
      expect(listed, 'list(), newest first: N candidates, then N promoted').to.deep.equal([
        ...cs.slice(3).reverse(),
        ...vs.slice(2).reverse(),
      ]);
      const back = await r.store.rollback();
      expect(back.ok && back.value.version, 'rollback from the re-promoted v3 reaches the promotion before it').to.equal(vs[p + 1]);
    },
  },
  {
    id: 'MEM-10', // docs/conformance-cards.md#mem-10
    title: 'Rejected candidates never prune the promotion history',
    baseline: true,
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      const v2 = await savedPromoted(r, M(2));
      const rejected: number[] = [];
      for (let i = 1; i <= r.caps.keepLast; i++) {
        const c = await saved(r, M(100 + i));
        const res = await r.store.reject(c, 'shadow gate: expectancy below the margin');
        expect(res.ok ? res.value.status : res.code, `reject(v${c})`).to.equal('rejected');
        rejected.push(c);
      }
      expect(await latestVersion(r), 'latest is still v2').to.equal(v2);
      const listed = await r.store.list();
      const back = await r.store.rollback();
      expect(back.ok ? back.value.version : back.code, `rollback() after ${r.caps.keepLast} rejected candidates`).to.equal(v1);
      expect(await latestVersion(r)).to.equal(v1);
      expect(
        listed.filter((m) => rejected.includes(m.version)).map((m) => m.status),
        'rejected versions listed as',
      ).to.deep.equal(rejected.map(() => 'rejected'));
    },
  },
  {
    id: 'MEM-11', // docs/conformance-cards.md#mem-11
    title: 'A rejected version is promoted only when forced; get() returns verified content',
    baseline: true,
    run: async (r) => {
      const v1 = await savedPromoted(r, M(1));
      const c = await saved(r, M(2));
      await r.store.reject(c, 'gate');
      const plain = await r.store.promote(c);
      expect(plain.ok ? 'ok' : plain.code, 'promote(rejected)').to.equal('MEMORY.VERSION_REJECTED');
      expect(await latestVersion(r)).to.equal(v1);
      const again = await r.store.reject(v1, 'too late');
      expect(again.ok ? 'ok' : again.code, 'reject(promoted)').to.equal('MEMORY.NOT_A_CANDIDATE');
      const forced = await r.store.promote(c, { force: true });
      expect(forced.ok, 'promote(rejected, { force: true })').to.equal(true);
      expect(await latestVersion(r)).to.equal(c);
      const got = await r.store.get(v1);
      expect(got.ok && got.value.content, 'get(v1)').to.deep.equal(M(1));
      const missing = await r.store.get(999);
      expect(missing.ok ? 'ok' : missing.code, 'get(v999)').to.equal('MEMORY.UNKNOWN_VERSION');
    },
  },
  {
    id: 'MEM-08', // docs/conformance-cards.md#mem-08
    variant: 'a',
    title: 'No valid version: a typed empty result, no crash (empty store)',
    baseline: true,
    run: async (r) => {
      expect(await r.store.loadLatest(), 'loadLatest() on an empty store').to.equal(null);
    },
  },
  {
    id: 'MEM-08', // docs/conformance-cards.md#mem-08
    variant: 'b',
    title: 'No valid version: a typed empty result, no crash (all corrupt)',
    baseline: true,
    applies: f('corrupt'),
    run: async (r) => {
      const vs = [await savedPromoted(r, M(1)), await savedPromoted(r, M(2)), await savedPromoted(r, M(3))];
      for (const v of vs) await r.venue().corrupt(v);
      expect(await r.store.loadLatest(), 'loadLatest() with every version corrupt').to.equal(null);
      expectCount(r.rec.events, 'memory.quarantined', undefined, 3);
    },
  },
  {
    id: 'MEM-09', // docs/conformance-cards.md#mem-09
    title: 'Versions survive a reopen',
    baseline: false,
    applies: requires.all(requires.flag('isDurable'), f('corrupt')),
    run: async (r) => {
      const v1 = await saved(r, M(1));
      const v2 = await savedPromoted(r, M(2));
      const v3 = await savedPromoted(r, M(3));
      await r.venue().corrupt(v3);
      expect(await latestVersion(r), 'setup: v3 quarantined, v2 latest').to.equal(v2);
      const before = await r.store.list();
      const r2 = await r.reopen();
      expect(await r2.store.list(), 'list() after reopen').to.deep.equal(before);
      expect(await latestVersion(r2)).to.equal(v2);
      const v4 = await saved(r2, M(4));
      expect(v4, 'numbering continues').to.be.greaterThan(Math.max(v1, v2, v3));
    },
  },
];

async function memoryMonitor(r: MemoryRun): Promise<string[]> {
  const v: string[] = [];
  const list = await r.store.list();
  for (const m of list) {
    if (!Number.isSafeInteger(m.schemaVersion)) v.push(`M1: v${m.version} has schemaVersion ${String(m.schemaVersion)}`);
    if (typeof m.checksum !== 'string' || m.checksum.length === 0) v.push(`M1: v${m.version} has no checksum`);
  }
  for (let i = 1; i < list.length; i++) {
    if (list[i - 1]!.version <= list[i]!.version && list[i - 1]!.status !== 'latest')
      v.push(`M3: list() not newest first at v${list[i - 1]!.version}, v${list[i]!.version}`);
  }
  const latest = await r.store.loadLatest();
  if (latest !== null && sha256Canonical(latest.content) !== latest.meta.checksum)
    v.push(`M2: loadLatest() returned v${latest.meta.version} whose checksum fails`);
  const kept = list.filter((m) => m.status !== 'quarantined').length;
  if (kept > r.caps.keepLast + r.caps.keepPromoted + 1)
    v.push(`M4: ${kept} versions kept, keepLast ${r.caps.keepLast} + keepPromoted ${r.caps.keepPromoted} (+1 in force)`);
  return v;
}

export function buildMemorySuite(name: string, options: MemorySuiteOptions): PortSuite<MemoryRun> {
  const caps = { keepLast: 10, keepPromoted: 10, schemaVersion: 1, ...(options.capabilities ?? {}) };
  const features = new Set<string>(options.driverFeatures ?? []);
  for (const need of ['corrupt', 'writeSchema'])
    if (!features.has(need)) throw new Error(`conformance: a scripted memory run needs driver feature ${need}`);

  const makeRun = async (
    card: string,
    clock: ManualClock,
    reopen?: MemorySubjectHandle,
  ): Promise<{ run: MemoryRun; handle: MemorySubjectHandle }> => {
    const handle = await options.create({ clock, card, ...(reopen ? { reopen } : {}) });
    const rec = new EventRecorder().attach((e, l) => handle.subject.on(e as never, l as never), MEMORY_EVENTS);
    const run: MemoryRun = {
      store: handle.subject,
      driver: handle.driver,
      clock,
      rec,
      caps,
      venue: () => {
        if (handle.driver === undefined) throw new SequenceMismatch('this card needs a memory driver', [], []);
        return handle.driver;
      },
      reopen: async () => {
        rec.detach();
        await handle.close?.();
        const next = await makeRun(card, clock, handle);
        handles.push(next.handle);
        current = next.run;
        return next.run;
      },
    };
    return { run, handle };
  };
  let handles: MemorySubjectHandle[] = [];
  // The monitors read the store the card ended with: after a reopen, the first store is closed.
  let current: MemoryRun | null = null;

  const execute = async (card: CardDef<MemoryRun>): Promise<void> => {
    const clock = new ManualClock(DEFAULT_START);
    const { run, handle } = await makeRun(card.id, clock);
    handles = [handle];
    current = run;
    try {
      await card.run!(run);
      const violations = await memoryMonitor(current);
      if (violations.length > 0) throw new InvariantViolation(violations, run.rec.lines());
    } catch (error) {
      if (error instanceof SequenceMismatch || error instanceof InvariantViolation) throw error;
      throw new SequenceMismatch((error as Error).message ?? String(error), [], run.rec.lines());
    } finally {
      run.rec.detach();
      for (const h of handles.reverse()) await h.dispose?.();
    }
  };

  return {
    port: 'MemoryStore',
    name,
    cards: MEMORY_CARDS,
    fixtures: {},
    options,
    execute,
    env: { capabilities: caps as Record<string, unknown>, driverFeatures: features, isLive: false },
  };
}

/** Registers the MemoryStore conformance suite (cards MEM, monitors M1–M4). */
export function describeMemoryStoreConformance(name: string, options: MemorySuiteOptions): void {
  registerMochaSuite(buildMemorySuite(name, options));
}
