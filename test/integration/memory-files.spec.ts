import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource, TypeormMemoryStore } from '../../adapters/persistence/index.js';

const child = path.resolve(import.meta.dirname, '../support/memory-kill-child.ts');
const M1 = { thresholds: { minImbalance: 0.25 }, n: 1 };

async function open(file: string, dir: string): Promise<{ store: TypeormMemoryStore; close: () => Promise<void> }> {
  const ds = await createDataSource({ driver: 'sqlite', file });
  return { store: new TypeormMemoryStore(ds, { namespace: 'kill', now: () => 1, dir }), close: () => ds.destroy() };
}

function latestFile(dir: string): { version: number; checksum: string; content: unknown } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'memory_latest.json'), 'utf8')) as {
    version: number;
    checksum: string;
    content: unknown;
  };
}

describe('memory on disk: memory_latest.json + memory_versions/, atomic, and a kill mid-save (real SQLite, real SIGKILL)', function () {
  this.timeout(60_000);
  let root: string;
  let file: string;
  let dir: string;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-memfiles-'));
    file = path.join(root, 'mem.sqlite');
    dir = path.join(root, 'memory');
    const { store, close } = await open(file, dir);
    const v1 = await store.save(M1, 'first');
    expect(v1.ok).to.equal(true);
    await store.promote(1);
    await close();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes each version file and the latest file beside the rows', async () => {
    const on = latestFile(dir);
    expect(on.version).to.equal(1);
    expect(on.content).to.deep.equal(M1);
    expect(fs.existsSync(path.join(dir, 'memory_versions', 'v000001.json'))).to.equal(true);
    const { store, close } = await open(file, dir);
    try {
      const latest = await store.loadLatest();
      expect(on.checksum).to.equal(latest?.meta.checksum);
    } finally {
      await close();
    }
  });

  it('a rollback of the only promotion writes the baseline (v0) to memory_latest.json, and a restart loads static', async () => {
    const first = await open(file, dir);
    try {
      const back = await first.store.rollback();
      expect(back.ok ? back.value.version : back.code).to.equal(0);
      expect(latestFile(dir).version, 'memory_latest.json names the baseline').to.equal(0);
      expect(
        fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        'no temp file left',
      ).to.deep.equal([]);
    } finally {
      await first.close();
    }
    const { store, close } = await open(file, dir);
    try {
      expect(await store.loadLatest(), 'after the restart: static, not v1').to.equal(null);
      expect(latestFile(dir).version).to.equal(0);
      expect((await store.get(1)).ok, 'v1 is kept (rejected) for the record').to.equal(true);
    } finally {
      await close();
    }
  });

  for (const mode of ['save', 'promote', 'rollback'] as const) {
    it(`a process killed between the temp write and the rename (${mode}) leaves the prior version loadable`, async () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, file, dir, mode], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, `child: ${r.stdout} ${r.stderr}`).to.equal('SIGKILL');
      expect(r.stdout).to.not.include('not killed');
      const temp = mode === 'save' ? path.join(dir, 'memory_versions', 'v000002.json.tmp') : path.join(dir, 'memory_latest.json.tmp');
      if (mode === 'rollback') expect(fs.readFileSync(temp, 'utf8'), 'the temp file held the baseline').to.include('"version":0');
      expect(fs.existsSync(temp), 'the kill came after the temp file was written').to.equal(true);
      // The files still name version 1, and the restarted store loads it.
      expect(latestFile(dir).version).to.equal(1);
      const { store, close } = await open(file, dir);
      try {
        const latest = await store.loadLatest();
        expect(latest?.meta.version).to.equal(1);
        expect(latest?.content).to.deep.equal(M1);
        expect(latestFile(dir).version, 'memory_latest.json after the restart').to.equal(1);
        const versions = (await store.list()).map((m) => m.version);
        expect(versions, 'no half-saved version listed').to.deep.equal(mode === 'promote' ? [2, 1] : [1]);
        const expected = mode === 'promote' ? 3 : 2;
        const next = await store.save({ n: 3 });
        expect(next.ok && next.value.version).to.equal(expected);
        expect(fs.existsSync(path.join(dir, 'memory_versions', `v00000${expected}.json`))).to.equal(true);
        if (mode === 'rollback') {
          // The rollback the kill interrupted can be done again, and lands on the baseline this time.
          const again = await store.rollback();
          expect(again.ok ? again.value.version : again.code).to.equal(0);
          expect(latestFile(dir).version).to.equal(0);
        }
      } finally {
        await close();
      }
    });
  }
});
