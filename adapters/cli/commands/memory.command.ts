import fs from 'node:fs';
import { Command } from 'commander';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { gateParams } from '../../../core/learning/learning-params.js';
import { buildMemory, cutOffBoundsOf } from '../../../core/learning/memory-builder.js';
import { BASELINE_VERSION, type MemoryResult, type MemoryStore, type MemoryVersionMeta } from '../../../ports/memory-store.js';
import type { Journal } from '../../../ports/journal.js';
import type { ResolvedConfig } from '../../../core/config/resolve-config.js';
import { loadResolvedConfig } from '../load.js';
import { openStore } from '../open-store.js';
import { configuredLearners, memoryChecksum, rebuildMemory, samplesOfSessions } from '../memory-rebuild.js';

type Ctx = { resolved: ResolvedConfig; memory: MemoryStore; journal: Journal | undefined };

async function withMemory(config: string, fn: (c: Ctx) => Promise<void>): Promise<void> {
  const { resolved } = await loadResolvedConfig(config);
  const store = await openStore(resolved);
  try {
    if (store.memory === undefined)
      throw new HarvesterError('CONFIG.INVALID', 'the configured store has no memory', { details: { path: 'store' } });
    await fn({ resolved, memory: store.memory, journal: store.journal });
  } finally {
    await store.close?.();
  }
}

function must<T>(r: MemoryResult<T>, what: string): T {
  if (!r.ok) throw new HarvesterError(r.code as never, `${what}: ${r.reason}`);
  return r.value;
}

function version(v: string): number {
  const n = Number(v.replace(/^v/, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new HarvesterError('CONFIG.INVALID', `'${v}' is not a version number (e.g. 3 or v3)`);
  return n;
}

function line(m: MemoryVersionMeta): string {
  const at = new Date(Math.floor(m.createdAt / 1000)).toISOString().replace('.000Z', 'Z');
  return `${m.current ? '*' : ' '} v${String(m.version).padEnd(5)} ${m.status.padEnd(11)} ${m.checksum.slice(0, 12)}  ${at}  ${m.note}`;
}

/** JSON values by path; a string holding JSON (a serialized candidate) is expanded so diffs reach its fields. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof value === 'string' && value.startsWith('{')) {
    try {
      return flatten(JSON.parse(value), prefix, out);
    } catch {
      // Not JSON after all: compared as text.
    }
  }
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.keys(value)
          .sort()
          .map((k) => [prefix === '' ? k : `.${k}`, (value as Record<string, unknown>)[k]] as const);
    if (entries.length === 0) out.set(prefix, JSON.stringify(value));
    for (const [k, v] of entries) flatten(v, `${prefix}${k}`, out);
    return out;
  }
  out.set(prefix, JSON.stringify(value));
  return out;
}

export function registerMemoryCommands(program: Command): void {
  const memory = program
    .command('memory')
    .description('versioned strategy memory: list, inspect, compare, promote, roll back, rebuild, export');
  const cfg = (c: Command): Command => c.option('-c, --config <file>', 'config file', 'harvester.config.ts');

  cfg(memory.command('ls').description('list versions, newest first (* = in force)')).action(async (o: { config: string }) => {
    await withMemory(o.config, async ({ memory: m }) => {
      const list = await m.list();
      if (list.length === 0) process.stderr.write('no memory versions\n');
      for (const v of list) process.stdout.write(`${line(v)}\n`);
    });
  });

  cfg(memory.command('show').description('one version: meta and content').argument('<version>')).action(
    async (v: string, o: { config: string }) => {
      await withMemory(o.config, async ({ memory: m }) => {
        const got = must(await m.get(version(v)), `show v${v}`);
        process.stdout.write(`${JSON.stringify({ meta: got.meta, content: got.content }, null, 2)}\n`);
      });
    },
  );

  cfg(memory.command('diff').description('what changed between two versions, by path').argument('<a>').argument('<b>')).action(
    async (a: string, b: string, o: { config: string }) => {
      await withMemory(o.config, async ({ memory: m }) => {
        const va = flatten(must(await m.get(version(a)), `diff v${a}`).content);
        const vb = flatten(must(await m.get(version(b)), `diff v${b}`).content);
        const paths = [...new Set([...va.keys(), ...vb.keys()])].sort();
        let n = 0;
        for (const p of paths) {
          const x = va.get(p);
          const y = vb.get(p);
          if (x === y) continue;
          n++;
          process.stdout.write(x === undefined ? `+ ${p}: ${y}\n` : y === undefined ? `- ${p}: ${x}\n` : `~ ${p}: ${x} → ${y}\n`);
        }
        process.stderr.write(n === 0 ? 'identical content\n' : `${n} paths differ\n`);
      });
    },
  );

  cfg(
    memory
      .command('promote')
      .description('make a version the one in force')
      .argument('<version>')
      .option('--force', 'promote even a rejected version'),
  ).action(async (v: string, o: { config: string; force?: boolean }) => {
    await withMemory(o.config, async ({ memory: m }) => {
      const meta = must(await m.promote(version(v), { force: o.force === true }), `promote v${v}`);
      process.stdout.write(`promoted v${meta.version} (${meta.checksum.slice(0, 12)})\n`);
    });
  });

  cfg(memory.command('rollback').description('return to the previously promoted version (from the only one: to v0, static LMP)')).action(
    async (o: { config: string }) => {
      await withMemory(o.config, async ({ memory: m }) => {
        const before = (await m.loadLatest())?.meta.version;
        const meta = must(await m.rollback(), 'rollback');
        process.stdout.write(`rolled back v${before} → v${meta.version}${meta.version === BASELINE_VERSION ? ' (static baseline)' : ''}\n`);
      });
    },
  );

  cfg(
    memory
      .command('build')
      .description("build a candidate from sessions' journaled samples with the configured learners, and save it")
      .argument('<sessions...>')
      .option('--seed <n>', 'build seed (default: the config seed)'),
  ).action(async (sessions: string[], o: { config: string; seed?: string }) => {
    await withMemory(o.config, async ({ resolved, memory: m, journal }) => {
      if (journal === undefined) throw new HarvesterError('CONFIG.INVALID', 'the configured store has no journal');
      const samples = await samplesOfSessions(journal, sessions);
      // The pipeline's bound, so a version built here is one the session could have built (memory-builder.ts).
      const built = buildMemory(
        configuredLearners(resolved),
        samples,
        o.seed === undefined ? resolved.root.seed : Number(o.seed),
        cutOffBoundsOf(gateParams.parse(resolved.root.learning.gate)),
      );
      if (!built.ok)
        throw new HarvesterError(
          'LEARNER.TOO_FEW_SAMPLES',
          `no candidate from ${samples.length} samples: ${built.refusals.map((r) => `${r.id} ${r.code}`).join(', ')}`,
        );
      const meta = must(
        await m.save(
          built.content as unknown as Readonly<Record<string, unknown>>,
          `built from ${sessions.length} session(s), ${samples.length} samples`,
        ),
        'save',
      );
      process.stdout.write(
        `saved v${meta.version} (${meta.checksum.slice(0, 12)}) from ${samples.length} samples; learners: ${built.content.learners.map((l) => (l.refused !== null ? `${l.id} refused ${l.refused}` : l.id)).join(', ')}\n`,
      );
    });
  });

  cfg(
    memory
      .command('rebuild')
      .description('re-derive versions from the journaled samples and check that their checksums reproduce')
      .argument('[versions...]')
      .option('--all', 'every saved version'),
  ).action(async (vs: string[], o: { config: string; all?: boolean }) => {
    await withMemory(o.config, async ({ resolved, memory: m, journal }) => {
      if (journal === undefined) throw new HarvesterError('CONFIG.INVALID', 'the configured store has no journal');
      const wanted = o.all === true ? (await m.list()).map((meta) => meta.version).sort((a, b) => a - b) : vs.map(version);
      if (wanted.length === 0) throw new HarvesterError('CONFIG.INVALID', 'memory rebuild: name a version, or --all');
      // Every version is checked and reported before failing: one mismatch must not hide another.
      const mismatches: string[] = [];
      for (const v of wanted) {
        const got = must(await m.get(v), `rebuild v${v}`);
        const rebuilt = await rebuildMemory(resolved, journal, got.content);
        if (rebuilt.checksum !== got.meta.checksum || memoryChecksum(got.content) !== got.meta.checksum) {
          mismatches.push(`v${v}: stored ${got.meta.checksum}, rebuilt ${rebuilt.checksum}`);
          process.stdout.write(`v${v} NOT reproduced: stored ${got.meta.checksum}, rebuilt ${rebuilt.checksum}\n`);
          continue;
        }
        process.stdout.write(
          `v${v} rebuilt from ${rebuilt.content.samples.count} journaled samples: checksum ${rebuilt.checksum} reproduced\n`,
        );
      }
      if (mismatches.length > 0) throw new HarvesterError('MEMORY.REBUILD_MISMATCH', mismatches.join('; '));
    });
  });

  cfg(
    memory
      .command('export')
      .description('every version (meta and content) as one JSON document')
      .option('-o, --out <file>', 'write to a file'),
  ).action(async (o: { config: string; out?: string }) => {
    await withMemory(o.config, async ({ memory: m }) => {
      const versions = [];
      for (const meta of await m.list()) {
        const got = await m.get(meta.version);
        versions.push(got.ok ? { meta: got.value.meta, content: got.value.content } : { meta, content: null, error: got.code });
      }
      const text = `${JSON.stringify({ versions }, null, 2)}\n`;
      if (o.out !== undefined) fs.writeFileSync(o.out, text);
      else process.stdout.write(text);
    });
  });
}
