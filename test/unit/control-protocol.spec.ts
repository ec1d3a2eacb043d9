import { expect } from 'chai';
import { decodeControlRequest, decodeControlResult, encodeControlRequest } from '../../core/operator/control-protocol.js';

const token = (given: unknown): boolean => given === 't';

describe('operator control wire format (core/operator/control-protocol.ts)', () => {
  it('what the sender encodes, the session decodes into a typed command', () => {
    const line = encodeControlRequest({ command: 'pause-symbol', operatorId: 'op', symbol: 'XYZ' }, 't');
    expect(line.endsWith('\n')).to.equal(true);
    expect(decodeControlRequest(line.trim(), token)).to.deep.equal({
      ok: true,
      command: { command: 'pause-symbol', operatorId: 'op', symbol: 'XYZ' },
    });
  });

  it('marks a command that does not parse as invalid, but not a bad token or bad JSON', () => {
    const noNote = decodeControlRequest(encodeControlRequest({ command: 'clear', operatorId: 'op' }, 't').trim(), token);
    expect(noNote).to.deep.include({ ok: false, invalid: true });
    expect(decodeControlRequest(encodeControlRequest({ command: 'clear', operatorId: 'op' }, 'x').trim(), token)).to.deep.equal({
      ok: false,
      error: 'bad or missing token',
    });
    expect(decodeControlRequest('{', token)).to.deep.equal({ ok: false, error: 'not JSON' });
  });

  it('a reply that is not JSON becomes a failure, never a throw', () => {
    expect(decodeControlResult('nope')).to.deep.equal({ ok: false, state: 'unknown', reasons: ['malformed reply'] });
  });
});
