import type { z } from 'zod';
import { ConfigError } from '../errors/harvester-error.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { isModuleReference, loadPluginModule } from '../plugin-host/load-plugin.js';
import type { AdapterManifest, AdapterRole, AnyPluginManifest, LearnerManifest, PluginKind, RiskPolicyManifest, StrategyManifest } from '../../plugins/sdk/manifest.js';
import type { BreachAction } from '../../ports/risk-policy.js';
import { isEnvRef } from './env-ref.js';
import { redact } from './redact.js';
import { rootSchema, type RootConfig } from './root-schema.js';
import { deepFreeze } from './deep-freeze.js';
import type { AlertsConfig } from './alerts-schema.js';

export interface ResolvedSelection<M> {
  manifest: M;
  /** Parsed by the plugin's schema, env references resolved, deep-frozen. */
  params: unknown;
  /** Config path of this selection, e.g. 'strategies[0]'. */
  path: string;
}

export interface ResolvedConfig {
  root: RootConfig;
  marketData: ResolvedSelection<AdapterManifest<unknown>>;
  broker: ResolvedSelection<AdapterManifest<unknown>>;
  store: ResolvedSelection<AdapterManifest<unknown>>;
  learner: ResolvedSelection<LearnerManifest<unknown>>;
  risk: (ResolvedSelection<RiskPolicyManifest<unknown>> & { action: BreachAction })[];
  strategies: (ResolvedSelection<StrategyManifest<unknown>> & { instanceId: string })[];
  /** The account id, resolved from env if referenced; never logged. */
  accountId: string | null;
  /** Safe to print and store: env refs shown by name, secret-looking values redacted. */
  redacted: Readonly<Record<string, unknown>>;
  /** The alert settings with their env references (webhook URLs, bot tokens, SMTP passwords) resolved; never logged. */
  alerts: AlertsConfig;
  /** Resolved secret values, for scrubbing foreign log text. */
  secrets: readonly string[];
  registry: PluginRegistry;
}

export interface ResolveOptions {
  builtins: readonly AnyPluginManifest[];
  /** Folder relative plugin paths resolve against (the config file's folder). */
  baseDir: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Two-phase validation: the root shape first, then each selected plugin's params against the plugin's own schema.
 * Every error names the config path and, in phase two, the plugin.
 */
export async function resolveConfig(input: unknown, options: ResolveOptions): Promise<ResolvedConfig> {
  const parsed = rootSchema.safeParse(input);
  if (!parsed.success) throw zodToConfigError(parsed.error, '', undefined);
  const root = parsed.data;
  const env = options.env ?? process.env;
  const secrets: string[] = [];
  const registry = new PluginRegistry();
  for (const m of options.builtins) registry.register(m, 'built-in');
  for (const [i, ref] of root.plugins.entries()) {
    if (ref === false || ref === null || ref === undefined) continue;
    const manifest = typeof ref === 'string' ? await loadPluginModule(ref, options.baseDir) : ref;
    registry.register(manifest, `plugins[${i}]`);
  }

  const select = async <K extends PluginKind>(sel: { use: unknown; params: Record<string, unknown> }, path: string, kind: K) => {
    let manifest: AnyPluginManifest;
    if (typeof sel.use === 'string') {
      manifest = registry.has(sel.use) || !isModuleReference(sel.use)
        ? registry.get(sel.use, kind, `${path}.use`)
        : registry.register(await loadPluginModule(sel.use, options.baseDir), `${path}.use`);
    } else {
      manifest = registry.register(sel.use, `${path}.use`);
    }
    if (manifest.kind !== kind) registry.get(manifest.id, kind, `${path}.use`);
    const withEnv = resolveEnv(sel.params, `${path}.params`, env, secrets, manifest.id);
    const result = (manifest.paramsSchema as z.ZodType).safeParse(withEnv);
    if (!result.success) throw zodToConfigError(result.error, `${path}.params`, manifest.id);
    return { manifest: manifest as Extract<AnyPluginManifest, { kind: K }>, params: deepFreeze(result.data), path };
  };
  const adapter = async (sel: RootConfig['broker'], path: string, role: AdapterRole) => {
    const s = await select(sel, path, 'adapter');
    if (!s.manifest.provides.includes(role)) {
      throw new ConfigError('CONFIG.INVALID', `${path}.use: adapter '${s.manifest.id}' does not provide '${role}' (it provides ${s.manifest.provides.join(', ')})`, `${path}.use`, s.manifest.id);
    }
    return s;
  };

  const strategies = [];
  const seen = new Set<string>();
  for (const [i, sel] of root.strategies.entries()) {
    const s = await select(sel, `strategies[${i}]`, 'strategy');
    const instanceId = sel.instanceId ?? (root.strategies.length === 1 ? s.manifest.id : `${s.manifest.id}-${i + 1}`);
    if (seen.has(instanceId)) throw new ConfigError('CONFIG.INVALID', `strategies[${i}].instanceId: '${instanceId}' is used twice`, `strategies[${i}].instanceId`, s.manifest.id);
    seen.add(instanceId);
    strategies.push({ ...s, instanceId });
  }
  const risk = [];
  for (const [i, sel] of root.risk.entries()) risk.push({ ...(await select(sel, `risk[${i}]`, 'risk-policy')), action: sel.action });

  const accountRaw = root.account.id;
  const accountId = accountRaw === undefined ? null : (resolveEnv(accountRaw, 'account.id', env, secrets, undefined) as string | undefined) ?? null;
  if (accountId !== null) secrets.push(accountId);
  const alerts = deepFreeze(resolveEnv(root.alerts, 'alerts', env, secrets, undefined) as AlertsConfig);

  return Object.freeze({
    root: deepFreeze(root),
    marketData: await adapter(root.marketData, 'marketData', 'market-data'),
    broker: await adapter(root.broker, 'broker', 'broker'),
    store: await adapter(root.store, 'store', 'store'),
    learner: await select(root.learner, 'learner', 'learner'),
    risk,
    strategies,
    accountId,
    alerts,
    redacted: deepFreeze(redact(input) as Record<string, unknown>),
    secrets: Object.freeze(secrets),
    registry,
  });
}

function resolveEnv(value: unknown, path: string, env: NodeJS.ProcessEnv, secrets: string[], pluginId: string | undefined): unknown {
  if (isEnvRef(value)) {
    const v = env[value.$env];
    if (v === undefined || v === '') {
      if (value.optional) return undefined;
      throw new ConfigError('CONFIG.ENV_MISSING', `${path}: environment variable ${value.$env} is not set`, path, pluginId);
    }
    secrets.push(v);
    return v;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, `${path}[${i}]`, env, secrets, pluginId));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveEnv(v, `${path}.${k}`, env, secrets, pluginId);
    return out;
  }
  return value;
}

export function zodToConfigError(error: z.ZodError, prefix: string, pluginId: string | undefined): ConfigError {
  const lines = error.issues.map((issue) => {
    const p = joinPath(prefix, issue.path as (string | number)[]);
    return `${p || '(root)'}: ${issue.message}`;
  });
  const first = joinPath(prefix, (error.issues[0]?.path ?? []) as (string | number)[]);
  const who = pluginId === undefined ? '' : ` (plugin '${pluginId}')`;
  return new ConfigError('CONFIG.INVALID', `invalid config${who}:\n  ${lines.join('\n  ')}`, first, pluginId, { cause: error });
}

function joinPath(prefix: string, parts: (string | number)[]): string {
  let out = prefix;
  for (const part of parts) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}
