import { Command } from 'commander';
import { describeRisk as describeRiskProfile, describeRiskFloor } from '../../../core/risk/describe-risk.js';
import { checkLiveArming } from '../../../core/risk/live-arming.js';
import { loadResolvedConfig } from '../load.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { redact } from '../../../core/config/redact.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('work with harvester.config.ts');
  config
    .command('check')
    .description("validate the config (root, then every selected plugin's params) without running")
    .option('-c, --config <file>', 'config file', 'harvester.config.ts')
    .option('--json', 'print the redacted resolved config as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const { resolved, path } = await loadResolvedConfig(opts.config);
      // The arming rules that need no flag (account, ports, mode vs venue) are config errors here too; whether the
      // run will be armed is decided at `run` time, so an unarmed live config is reported, not refused.
      const arming = checkLiveArming({
        mode: resolved.root.mode,
        configArmed: resolved.root.live.armed,
        armFlag: true,
        armEnv: undefined,
        configuredAccount: resolved.accountId,
        venues: resolved.venues,
      });
      if (!arming.ok) throw new HarvesterError(arming.code, arming.message);
      const chain = resolved.risk.map((r) => ({ use: r.manifest.id, action: r.action, params: r.params, path: r.path }));
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ ...resolved.redacted, effectiveRisk: redact(chain), riskFloor: resolved.riskFloor }, null, 2)}\n`,
        );
        return;
      }
      const r = resolved.root;
      const lines = [
        `config OK: ${path}`,
        `  mode ${r.mode}, seed ${r.seed}, session ${r.session.date} ${r.session.start}–${r.session.end} ${r.session.timeZone}`,
        `  market data: ${resolved.marketData.manifest.id}   broker: ${resolved.broker.manifest.id} ` +
          `  store: ${resolved.store.manifest.id}   learner: ${resolved.learner.manifest.id}`,
        `  strategies: ${resolved.strategies.map((s) => `${s.instanceId} (${s.manifest.id})`).join(', ')}`,
        `  account: ${resolved.accountId === null ? 'not set' : '[redacted]'}, start equity ${r.account.startEquity} ${r.account.currency}`,
        ...describeRiskFloor(resolved.riskFloor).map((l) => `  ${l}`),
        '  effective risk chain:',
        ...(await describeRisk(resolved)).map((l) => `    ${l}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

async function describeRisk(resolved: Awaited<ReturnType<typeof loadResolvedConfig>>['resolved']): Promise<string[]> {
  if (resolved.risk.length === 0) return ['(no risk policies configured: only the kill switch and the HALT guard apply)'];
  return describeRiskProfile(resolved.risk, { startEquity: resolved.root.account.startEquity });
}
