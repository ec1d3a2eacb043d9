import { expect } from 'chai';
import { refuseNonPaper, VALIDATION_SCENARIOS } from '../support/paper-validation.js';
import { renderTable } from '../support/validation/report.js';

describe('live-validation suite: paper guard and item list', () => {
  it('refuses a non-paper account and the live ports before anything connects', () => {
    expect(() => refuseNonPaper({ account: 'U1234567', port: 7497 })).to.throw(/not a paper account/);
    expect(() => refuseNonPaper({ account: '', port: 7497 })).to.throw(/not a paper account/);
    expect(() => refuseNonPaper({ account: 'DU1234567', port: 7496 })).to.throw(/live TWS\/Gateway port/);
    expect(() => refuseNonPaper({ account: 'DU1234567', port: 4001 })).to.throw(/live TWS\/Gateway port/);
    expect(() => refuseNonPaper({ account: 'DU1234567', port: 7497 })).to.not.throw();
    expect(() => refuseNonPaper({ account: 'DU1234567', port: 4002 })).to.not.throw();
  });

  it('lists every seed-002 item once, in seed order: C1-C4, M1-M4, O1-O4, R1-R4, E1-E17', () => {
    const want = [
      ...['C', 'M', 'O', 'R'].flatMap((g) => [1, 2, 3, 4].map((n) => `${g}${n}`)),
      ...Array.from({ length: 17 }, (_, i) => `E${i + 1}`),
    ];
    expect(VALIDATION_SCENARIOS.map((s) => s.id)).to.deep.equal(want);
    for (const s of VALIDATION_SCENARIOS) expect(s.title.length, s.id).to.be.greaterThan(10);
  });

  it('renders the operator table with the counts and one row per item', () => {
    const table = renderTable(
      'paper-tws',
      [
        { id: 'C1', title: 'connect', seed: 'x', outcome: 'pass', why: 'ok | fine', ms: 1 },
        { id: 'M2', title: 'bars', seed: 'y', outcome: 'pending', why: 'no API', ms: 0 },
      ],
      '2026-01-01T00:00:00Z',
    );
    expect(table).to.include('1 pass, 0 fail, 1 pending of 2');
    expect(table).to.include('| C1 | connect | x | PASS | ok / fine |');
    expect(table).to.include('| M2 | bars | y | PENDING | no API |');
  });
});
