import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runControl } from '../../adapters/cli/commands/control.command.js';
import { CONTROL_FILE, sendControlCommand, startControlServer, type ControlServer } from '../../adapters/cli/control-socket.js';
import { parseOperatorCommand, type OperatorCommand, type OperatorHandler } from '../../core/operator/operator-commands.js';

describe('operator commands', () => {
  it('parses each command and refuses bad input with a reason', () => {
    expect(parseOperatorCommand({ command: 'pause', operatorId: 'op-1' })).to.deep.equal({
      ok: true,
      command: { command: 'pause', operatorId: 'op-1' },
    });
    expect(parseOperatorCommand({ command: 'pause-symbol', operatorId: 'op', symbol: 'XYZ' }).ok).to.equal(true);
    expect(parseOperatorCommand({ command: 'flatten-all', operatorId: 'op' })).to.deep.include({
      ok: true,
      command: { command: 'flatten', operatorId: 'op' },
    });
    expect(parseOperatorCommand({ command: 'clear-halt', operatorId: 'op', note: 'checked' }).ok).to.equal(true);
    expect(parseOperatorCommand({ command: 'clear', operatorId: 'op' }).ok, 'clear needs a note').to.equal(false);
    expect(parseOperatorCommand({ command: 'pause-symbol', operatorId: 'op' }).ok, 'symbol required').to.equal(false);
    expect(parseOperatorCommand({ command: 'pause', operatorId: 'op', symbl: 'XYZ' }).ok, 'unknown field').to.equal(false);
    expect(parseOperatorCommand({ command: 'pause', operatorId: '' }).ok).to.equal(false);
    expect(parseOperatorCommand({ command: 'launch', operatorId: 'op' }).ok).to.equal(false);
    expect(parseOperatorCommand('pause').ok).to.equal(false);
  });
});

describe('control socket', () => {
  let dir: string;
  let server: ControlServer;
  const seen: OperatorCommand[] = [];
  const handler: OperatorHandler = {
    async handle(cmd) {
      seen.push(cmd);
      if (cmd.command === 'clear')
        return {
          ok: false,
          state: 'HALT',
          reasons: [{ code: 'RISK.DAILY_LOSS', limit: 'daily-loss.maxLossPct', observed: -3, threshold: -2 }],
        };
      if (cmd.command === 'flatten') throw new Error('boom');
      return { ok: true, state: cmd.command === 'halt' ? 'HALT' : 'RUNNING' };
    },
  };

  beforeEach(async () => {
    seen.length = 0;
    dir = await mkdtemp(join(tmpdir(), 'hv-control-'));
    server = await startControlServer({ dataDir: dir, handler });
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on loopback and advertises the port in a private file', async () => {
    const info = JSON.parse(await readFile(join(dir, CONTROL_FILE), 'utf8')) as { host: string; port: number; token: string };
    expect(info.host).to.equal('127.0.0.1');
    expect(info.port).to.equal(server.port);
    expect(info.token).to.have.length(48);
    if (process.platform !== 'win32') expect((await stat(server.file)).mode & 0o077).to.equal(0);
  });

  it('round-trips a command to the handler', async () => {
    const r = await sendControlCommand({ dataDir: dir, command: { command: 'halt', operatorId: 'op-1', note: 'manual' } });
    expect(r).to.deep.equal({ ok: true, state: 'HALT' });
    expect(seen).to.deep.equal([{ command: 'halt', operatorId: 'op-1', note: 'manual' }]);
  });

  it('returns refusals and handler failures as values', async () => {
    const refused = await sendControlCommand({ dataDir: dir, command: { command: 'clear', operatorId: 'op', note: 'try' } });
    expect(refused.ok).to.equal(false);
    const failed = await sendControlCommand({ dataDir: dir, command: { command: 'flatten', operatorId: 'op' } });
    expect(failed).to.deep.include({ ok: false });
    expect(String((failed as { reasons: string[] }).reasons[0])).to.match(/boom/);
  });

  it('refuses a wrong token and invalid JSON, answering each line in order', async () => {
    const lines = await new Promise<string[]>((resolve, reject) => {
      const s = createConnection({ host: '127.0.0.1', port: server.port });
      let buf = '';
      s.setEncoding('utf8');
      s.on('connect', () => s.write('not json\n{"token":"nope","command":"pause","operatorId":"x"}\n'));
      s.on('data', (c: string) => {
        buf += c;
        const got = buf.split('\n').filter(Boolean);
        if (got.length >= 2) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
    });
    expect(lines.map((l) => JSON.parse(l).reasons[0])).to.deep.equal(['not JSON', 'bad or missing token']);
    expect(seen).to.have.length(0);
  });

  it('harvester control: exit codes 0 ok, 1 refused, 2 invalid', async () => {
    const out: string[] = [];
    const base = { dataDir: dir, operator: 'op', timeout: '2000' };
    expect(await runControl('pause', { ...base, symbol: 'XYZ' }, (s) => out.push(s))).to.equal(0);
    expect(seen.at(-1)).to.deep.equal({ command: 'pause-symbol', operatorId: 'op', symbol: 'XYZ' });
    expect(await runControl('clear', { ...base, note: 'why' }, (s) => out.push(s))).to.equal(1);
    expect(out.at(-1)).to.match(/RISK\.DAILY_LOSS/);
    expect(await runControl('clear', base, (s) => out.push(s))).to.equal(2);
  });

  it('close removes the control file; a client then reports no session', async () => {
    await server.close();
    const r = await sendControlCommand({ dataDir: dir, command: { command: 'status', operatorId: 'op' } });
    expect(r.ok).to.equal(false);
    expect(String((r as { reasons: string[] }).reasons[0])).to.match(/no running session/);
  });
});
