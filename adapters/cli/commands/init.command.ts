import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { PLUGIN_ID_PATTERN } from '../../../plugins/sdk/api-version.js';
import { strategyTemplate } from '../scaffold/strategy-template.js';

export function registerInitCommand(program: Command): void {
  const init = program.command('init').description('scaffold a plugin package');
  init
    .command('strategy')
    .argument('<name>', 'plugin id, kebab-case (e.g. opening-drive)')
    .option('-d, --dir <dir>', 'parent folder', '.')
    .description('write a working strategy plugin with its own spec')
    .action((name: string, opts: { dir: string }) => {
      const target = scaffoldStrategy(name, opts.dir);
      process.stdout.write(`created ${target}\n  reference it in harvester.config.ts: strategies: [{ use: './${path.relative(process.cwd(), path.join(target, 'index.ts'))}', params: { symbol: 'HRVST' } }]\n`);
    });
}

export function scaffoldStrategy(name: string, parent: string): string {
  if (!PLUGIN_ID_PATTERN.test(name)) throw new Error(`'${name}' is not a kebab-case plugin id (${PLUGIN_ID_PATTERN})`);
  const target = path.resolve(parent, name);
  if (fs.existsSync(target)) throw new Error(`${target} already exists; nothing was written`);
  for (const [file, content] of Object.entries(strategyTemplate(name))) {
    const full = path.join(target, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return target;
}
