import { expect } from 'chai';
import { installLastResort, LAST_RESORT_EXIT, lastResortHandler } from '../../adapters/cli/last-resort.js';

describe('run: last-resort handler (uncaughtException / unhandledRejection)', () => {
  const rig = () => {
    const rows: { kind: string; type: string; data: Record<string, unknown> }[] = [];
    const lines: string[] = [];
    const calls: string[] = [];
    let code: number | null = null;
    const deps = {
      journal: {
        write: (kind: string, type: string, data: Record<string, unknown>) => {
          rows.push({ kind, type, data });
          calls.push('journal');
        },
      },
      close: async () => {
        calls.push('close');
      },
      secrets: ['s3cr3t'],
      write: (l: string) => {
        lines.push(l);
        calls.push('alert');
      },
      exit: (c: number) => {
        code = c;
        calls.push('exit');
      },
    };
    return { deps, rows, lines, calls, code: () => code };
  };

  it('alerts at error level, journals the crash, closes the adapters (cancelling nothing), then exits non-zero', async () => {
    const r = rig();
    await lastResortHandler(r.deps as never)('uncaughtException', new SyntaxError('bad frame with s3cr3t inside'));
    expect(r.calls).to.deep.equal(['alert', 'journal', 'close', 'exit']);
    expect(r.code()).to.equal(LAST_RESORT_EXIT).and.not.equal(0);
    const alert = JSON.parse(r.lines[0]!) as { level: number; msg: string };
    expect(alert.level).to.equal(50);
    expect(alert.msg)
      .to.match(/uncaughtException: bad frame/)
      .and.match(/working orders are left at the venue/);
    expect(r.lines[0]).to.not.include('s3cr3t');
    expect(r.rows[0]).to.deep.include({ kind: 'event', type: 'process.crashed' });
    expect(String(r.rows[0]!.data.error)).to.not.include('s3cr3t');
  });

  it('runs once: a second error while closing does not journal or exit twice; a failing journal still exits', async () => {
    const r = rig();
    const handle = lastResortHandler({
      ...r.deps,
      journal: {
        write: () => {
          throw new Error('disk full');
        },
      },
    } as never);
    await Promise.all([handle('unhandledRejection', 'first'), handle('uncaughtException', new Error('second'))]);
    expect(r.calls.filter((c) => c === 'exit')).to.have.length(1);
    expect(r.lines).to.have.length(1);
  });

  it('installs one listener per event for the run and removes them after', () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const off = installLastResort(rig().deps as never);
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).to.deep.equal([
      before[0]! + 1,
      before[1]! + 1,
    ]);
    off();
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).to.deep.equal(before);
  });
});
