import { expect } from 'chai';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIdJournalStore, idJournalPath, MemoryIdJournalStore, TwsIdJournal } from '../../adapters/tws/orders/id-journal.js';
import { skipBecause } from '../support/skip.js';

describe('TWS id journal (coid ↔ orderId ↔ permId ↔ orderRef across restarts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hv-ids-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each mapping at once, so a new journal on the same file (a restarted process) finds it', () => {
    const path = idJournalPath(dir, 7);
    expect(path).to.equal(join(dir, 'tws-ids-7.jsonl'));
    const a = new TwsIdJournal(new FileIdJournalStore(path));
    a.sent('C1', 11, 'alpha-1');
    expect(readFileSync(path, 'utf8'), 'on disk before the call returns').to.contain('"coid":"C1"');
    a.identified('C1', 900_001);
    a.identified('C1', 900_001); // repeated reports write nothing more
    a.sent('C2', 12, 'alpha-2');
    expect(readFileSync(path, 'utf8').trim().split('\n')).to.have.length(3);

    const b = new TwsIdJournal(new FileIdJournalStore(path));
    expect(b.entries()).to.deep.equal([
      { coid: 'C1', orderId: 11, permId: 900_001, orderRef: 'alpha-1' },
      { coid: 'C2', orderId: 12, permId: null, orderRef: 'alpha-2' },
    ]);
    expect(b.maxOrderId).to.equal(12);
  });

  it('matches by permId first, then by orderRef; an orderRef entry with another permId is another order', () => {
    const j = new TwsIdJournal(new MemoryIdJournalStore());
    j.sent('C1', 1, 'same-ref');
    j.identified('C1', 500);
    j.sent('C2', 2, 'other-ref');
    j.identified('C2', 600);
    expect(j.match(600, 'same-ref')?.coid, 'permId wins over a conflicting orderRef').to.equal('C2');
    expect(j.match(undefined, 'same-ref')?.coid).to.equal('C1');
    expect(j.match(777, 'same-ref'), 'same ref, different permId').to.equal(undefined);
    expect(j.match(0, ''), 'nothing to match on').to.equal(undefined);
    j.sent('C3', 3, 'new-ref');
    expect(j.match(888, 'new-ref')?.coid, 'an entry whose permId is not known yet matches by orderRef').to.equal('C3');
  });

  it('compacts on load: closed orders go, the highest id stays, a torn last line (crash mid-append) is skipped', () => {
    const path = idJournalPath(dir, 8);
    const a = new TwsIdJournal(new FileIdJournalStore(path));
    a.sent('C1', 40, 'r1');
    a.sent('C2', 41, 'r2');
    a.identified('C2', 4_100);
    a.closed('C1');
    a.closed('C1'); // once only
    appendFileSync(path, '{"op":"sent","coid":"C9","ord'); // the process died here
    const b = new TwsIdJournal(new FileIdJournalStore(path));
    expect(b.entries().map((e) => e.coid)).to.deep.equal(['C2']);
    expect(b.maxOrderId, 'a closed order still took its id').to.equal(41);
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).to.deep.equal([
      { op: 'seq', orderId: 41 },
      { op: 'sent', coid: 'C2', orderId: 41, orderRef: 'r2' },
      { op: 'perm', coid: 'C2', permId: 4_100 },
    ]);
    b.closed('C2');
    const c = new TwsIdJournal(new FileIdJournalStore(path));
    expect(c.entries()).to.deep.equal([]);
    expect(c.maxOrderId, 'the allocator floor survives compaction').to.equal(41);
  });

  it('an adopted order is journaled under its current ids; a missing file is an empty journal', () => {
    const j = new TwsIdJournal(new FileIdJournalStore(join(dir, 'nested', 'tws-ids-9.jsonl')));
    expect(j.entries()).to.deep.equal([]);
    expect(j.maxOrderId).to.equal(-1);
    j.adopted({ coid: 'C5', orderId: 70, permId: 7_000, orderRef: 'hv:t:C5' });
    expect(j.match(7_000, undefined)?.coid).to.equal('C5');
  });

  it('appends through one descriptor kept open, not an open per order; close() releases it and a later append reopens', function () {
    if (!existsSync('/proc/self/fd')) skipBecause(this, "the descriptor count is read from Linux's procfs, which this system lacks");
    const path = idJournalPath(dir, 3);
    const openOnPath = (): number =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      }).length;
    const store = new FileIdJournalStore(path);
    const j = new TwsIdJournal(store);
    for (let i = 0; i < 50; i++) j.sent(`C${i}`, 100 + i, `r${i}`);
    expect(openOnPath(), 'one descriptor on the journal file').to.equal(1);
    expect(readFileSync(path, 'utf8').trim().split('\n')).to.have.length(50);
    store.close();
    expect(openOnPath()).to.equal(0);
    j.closed('C0');
    expect(openOnPath()).to.equal(1);
    store.close();
    expect(new TwsIdJournal(new FileIdJournalStore(path)).entries()).to.have.length(49);
  });
});
