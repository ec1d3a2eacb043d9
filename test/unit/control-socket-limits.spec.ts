import { expect } from 'chai';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROL_FILE, sendControlCommand, startControlServer, type ControlServer } from '../../adapters/cli/control-socket.js';
import type { OperatorHandler } from '../../core/operator/operator-commands.js';
import { skipBecause } from '../support/skip.js';

const handler: OperatorHandler = {
  async handle() {
    return { ok: true, state: 'RUNNING' };
  },
};

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.on('connect', () => resolve(s));
    s.on('error', reject);
  });
}
const closed = (s: Socket): Promise<void> =>
  new Promise((resolve) => {
    if (s.destroyed) resolve();
    else s.once('close', () => resolve());
  });
/** Everything the server sends until it closes the connection. */
function readAll(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(buf));
  });
}

describe('control socket limits', () => {
  let dir: string;
  let server: ControlServer | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hv-control-limits-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('the token file is 0600 even when an older control.json was 0644', async function () {
    if (process.platform === 'win32') skipBecause(this, 'POSIX file permissions only');
    const file = join(dir, CONTROL_FILE);
    await writeFile(file, '{}\n');
    await chmod(file, 0o644);
    server = await startControlServer({ dataDir: dir, handler });
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).port).to.equal(server.port);
  });

  it('closes a connection that stays idle without a valid request', async () => {
    server = await startControlServer({ dataDir: dir, handler, limits: { idleMs: 100 } });
    const s = await connect(server.port);
    await closed(s);
    expect(server.dropped.idle).to.equal(1);
  });

  it('at the connection cap evicts the oldest unauthenticated connection, so a valid client still gets in', async () => {
    server = await startControlServer({ dataDir: dir, handler, limits: { maxConnections: 4 } });
    const idle = await Promise.all([1, 2, 3, 4].map(() => connect(server!.port)));
    const r = await sendControlCommand({ dataDir: dir, command: { command: 'status', operatorId: 'op' } });
    expect(r).to.deep.equal({ ok: true, state: 'RUNNING' });
    await closed(idle[0]!);
    expect(server.dropped.cap).to.be.at.least(1);
    for (const s of idle) s.destroy();
  });

  it('closes a connection whose request is longer than the limit', async () => {
    server = await startControlServer({ dataDir: dir, handler, limits: { maxLineChars: 1_000 } });
    const s = await connect(server.port);
    const got = readAll(s);
    s.write('x'.repeat(5_000));
    expect(await got).to.match(/request too long \(more than 1000 characters\)/);
    expect(server.dropped['too-long']).to.equal(1);
  });

  it('answers at most maxFailuresPerConnection bad requests, then closes the connection', async () => {
    server = await startControlServer({ dataDir: dir, handler, limits: { maxFailuresPerConnection: 3 } });
    const s = await connect(server.port);
    const got = readAll(s);
    s.write('junk\n'.repeat(10_000));
    const lines = (await got).split('\n').filter(Boolean);
    expect(lines).to.have.length(3);
    expect(server.dropped.failures).to.equal(1);
  });

  it('rate-limits failed tokens across connections: beyond the rate a failing connection is closed unanswered', async () => {
    let now = 1_000_000;
    server = await startControlServer({
      dataDir: dir,
      handler,
      limits: { maxFailuresPerSecond: 5, maxFailuresPerConnection: 100 },
      now: () => now,
    });
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      const s = await connect(server.port);
      const got = readAll(s);
      s.end('{"token":"wrong","command":"halt","operatorId":"x"}\n');
      answers.push(await got);
    }
    expect(answers.filter((a) => a.includes('bad or missing token'))).to.have.length(5);
    expect(answers.filter((a) => a === '')).to.have.length(5);
    expect(server.dropped.rate).to.equal(5);
    // A valid token is never rate-limited; the next second answers failures again.
    expect(await sendControlCommand({ dataDir: dir, command: { command: 'status', operatorId: 'op' } })).to.deep.equal({
      ok: true,
      state: 'RUNNING',
    });
    now += 1_000;
    const s = await connect(server.port);
    const got = readAll(s);
    s.end('junk\n');
    expect(await got).to.contain('not JSON');
  });
});
