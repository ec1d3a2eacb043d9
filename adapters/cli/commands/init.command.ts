import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { PLUGIN_ID_PATTERN } from '../../../plugins/sdk/api-version.js';
import { strategyTemplate } from '../scaffold/strategy-template.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { builtinPlugins } from '../builtin-plugins.js';

export function registerInitCommand(program: Command): void {
  const init = program.command('init').description('scaffold a plugin package');
  init
    .command('strategy')
    .argument('<name>', 'plugin id, kebab-case (e.g. opening-drive)')
    .option('-d, --dir <dir>', 'parent folder', '.')
    .description('write a working strategy plugin with its own spec')
    .action(async (name: string, opts: { dir: string }) => {
      const builtin = (await builtinPlugins()).map((m) => m.id);
      if (builtin.includes(name))
        throw new HarvesterError(
          'PLUGIN.DUPLICATE_ID',
          `'${name}' is a built-in plugin id; choose another name (built-ins: ${builtin.join(', ')})`,
          { details: { path: 'name' } },
        );
      const target = scaffoldStrategy(name, opts.dir);
      process.stdout.write(
        `created ${target}\n  reference it in harvester.config.ts: strategies: [{ use: ` +
          `'./${path.relative(process.cwd(), path.join(target, 'index.ts'))}', params: { symbol: 'HRVST' } }]\n`,
      );
    });
}

export function scaffoldStrategy(name: string, parent: string): string {
  if (!PLUGIN_ID_PATTERN.test(name)) {
    const suggestion = name
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase();
    throw new HarvesterError(
      'PLUGIN.INVALID_PARAMS',
      `'${name}' is not a plugin id: use lower-case words joined by ` +
        `dashes${PLUGIN_ID_PATTERN.test(suggestion) ? `, e.g. '${suggestion}'` : ''}`,
      { details: { path: 'name' } },
    );
  }
  const target = path.resolve(parent, name);
  if (fs.existsSync(target))
    throw new HarvesterError('PLUGIN.DUPLICATE_ID', `${target} already exists; nothing was written`, { details: { path: 'name' } });
  for (const [file, content] of Object.entries(strategyTemplate(name))) {
    const full = path.join(target, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return target;
}
