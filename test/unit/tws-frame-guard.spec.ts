import { expect } from 'chai';
import fc from 'fast-check';
import { TwsFrameGuard, type FrameFault } from '../../adapters/tws/connection/frame-guard.js';
import { encodeFrame, rawFrame } from '../../adapters/fake-tws/index.js';

function guard(sv = 193) {
  const delivered: Buffer[] = [];
  const dropped: { fault: FrameFault; fatal: boolean }[] = [];
  const g = new TwsFrameGuard(
    {
      deliver: (f) => delivered.push(Buffer.from(f)),
      dropped: (fault, _d, fatal) => dropped.push({ fault, fatal }),
      decoderThrew: () => {},
    },
    () => sv,
  );
  g.feed(encodeFrame([sv, '20260101 09:30:00 EST'])); // the handshake frame
  delivered.length = 0;
  return { g, delivered, dropped };
}

describe('TWS inbound frame guard (before @stoqey/ib decodes)', () => {
  it('passes well-formed frames whole, in any TCP segmentation (property)', () => {
    const frame = fc.tuple(
      fc.constantFrom(1, 2, 4, 9, 11, 99),
      fc.array(
        fc.string({ maxLength: 8 }).map((s) => s.replace(/\0/g, '')),
        { maxLength: 8 },
      ),
    );
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
        const t = guard();
        const bytes = Buffer.concat(frames.map(([id, f]) => encodeFrame(id === 4 ? [4, 2, 1, 2104, 'x', ''] : [id, ...f])));
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const c of [...at, bytes.length]) {
          t.g.feed(bytes.subarray(from, c));
          from = c;
        }
        expect(Buffer.concat(t.delivered).equals(bytes)).to.equal(true);
        expect(t.delivered).to.have.length(frames.length);
        expect(t.dropped).to.deep.equal([]);
      }),
      { numRuns: 200 },
    );
  });

  it('drops what the library cannot survive; a bad prefix loses the framing for the rest of the socket', () => {
    const t = guard();
    t.g.feed(encodeFrame([4, 2, 1000, 201, 'Order rejected - reason:', '{not json']));
    t.g.feed(rawFrame(5, '9\x001\x001'));
    t.g.feed(rawFrame(4, '250\x00'));
    t.g.feed(encodeFrame([4, 2, 'x', 201, 't', '']));
    t.g.feed(encodeFrame([4, 2, 1000, 201, 'ok', '{\\u0022a\\u0022:1}'])); // valid once un-escaped, as the library does
    expect(t.dropped.map((d) => d.fault)).to.deep.equal(['bad-json', 'no-terminator', 'bad-message-id', 'bad-field']);
    expect(t.delivered).to.have.length(1);
    t.g.feed(Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), encodeFrame([9, 1, 5])]));
    expect(t.dropped.at(-1)).to.deep.equal({ fault: 'length-prefix', fatal: true });
    t.g.feed(encodeFrame([9, 1, 5]));
    expect(t.delivered, 'nothing after a lost framing until reset').to.have.length(1);
    expect(t.g.stats).to.deep.include({ passed: 2, dropped: 5 });
  });

  it('before sv 166 an ERR_MSG has no JSON field to check', () => {
    const t = guard(150);
    t.g.feed(encodeFrame([4, 2, 1000, 201, 'text']));
    expect(t.dropped).to.deep.equal([]);
  });

  it('a throw inside the library costs that frame only', () => {
    let n = 0;
    const g = new TwsFrameGuard(
      {
        deliver: () => {
          if (++n === 2) throw new SyntaxError('boom');
        },
        dropped: () => {},
        decoderThrew: () => {},
      },
      () => 193,
    );
    g.feed(Buffer.concat([encodeFrame([193, 't']), encodeFrame([9, 1, 5]), encodeFrame([9, 1, 6])]));
    expect(n).to.equal(3);
    expect(g.stats.byFault).to.deep.equal({ 'decoder-threw': 1 });
  });
});
