import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * Every CLI command starts by registering all commands (adapters/cli/main.ts), so whatever those modules import
 * statically is paid by `harvester --version` as much as by `harvester run`. The dashboard (fastify, ws), the metrics
 * endpoint (prom-client) and e-mail alerts (nodemailer) load only when a session asks for them
 * (docs/operations.md#cli-start-up). This checks what is loaded, not how long it takes.
 */
describe('CLI start-up loads no optional server or mailer', function () {
  this.timeout(60_000);

  it('registering every command leaves fastify, ws, prom-client and nodemailer unloaded', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "await import('./adapters/cli/commands/run.command.ts');",
      "await import('./adapters/cli/commands/config-check.command.ts');",
      "await import('./adapters/cli/extra-commands.ts');",
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      'process.stdout.write(JSON.stringify(loaded));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const loaded = JSON.parse(r.stdout) as string[];
    // The probe works: packages the commands do need statically are in the list.
    expect(loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`))).to.equal(true);
    for (const pkg of ['fastify', 'ws', 'prom-client', 'nodemailer'])
      expect(
        loaded.filter((f) => f.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`)),
        pkg,
      ).to.deep.equal([]);
  });
});
