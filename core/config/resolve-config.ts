import type { z } from 'zod';
import { ConfigError } from '../errors/harvester-error.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { isModuleReference, loadPluginModule } from '../plugin-host/load-plugin.js';
import type {
  AdapterManifest,
  AdapterRole,
  AnyPluginManifest,
  LearnerManifest,
  PluginKind,
  RiskPolicyManifest,
  StrategyManifest,
} from '../../plugins/sdk/manifest.js';
import type { BreachAction } from '../../ports/risk-policy.js';
import { isEnvRef } from './env-ref.js';
import { redact } from './redact.js';
import { rootSchema, type RootConfig } from './root-schema.js';
import { deepFreeze } from './deep-freeze.js';
import type { AlertsConfig } from './alerts-schema.js';
import { sessionWindow } from './session-window.js';
import { assessRiskFloor, type RiskFloorReport } from './risk-floor.js';
import type { VenueUse } from '../risk/live-arming.js';
import type { Micros } from '../domain/units.js';

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
  /** `learning.learners`, or `[learner]` when that list is empty (the one-learner shorthand). */
  learners: ResolvedSelection<LearnerManifest<unknown>>[];
  risk: (ResolvedSelection<RiskPolicyManifest<unknown>> & { action: BreachAction })[];
  strategies: (ResolvedSelection<StrategyManifest<unknown>> & { instanceId: string })[];
  /** Session window in Clock time: the one `run` uses, so `config check` refuses what `run` would. */
  window: { start: Micros; end: Micros };
  /** Broker/feed selections that talk to a venue (TWS), with their ports, known before anything connects. */
  venues: readonly VenueUse[];
  /** The risk floor as applied: policies added at their defaults, configured ones below the floor, the override. */
  riskFloor: RiskFloorReport;
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
  /** Imports a plugin module by URL (the CLI passes tsx's ESM import, as for the config file itself). */
  importer?: (url: string) => Promise<unknown>;
}

/**
 * Two-phase validation: the root shape first, then each selected plugin's params against the plugin's own schema.
 * Every error names the config path and, in phase two, the plugin.
 */
export async function resolveConfig(input: unknown, options: ResolveOptions): Promise<ResolvedConfig> {
  const parsed = rootSchema.safeParse(input);
  if (!parsed.success) throw zodToConfigError(parsed.error, '', undefined);
  const root = parsed.data;
  const window = sessionWindow(root.session.date, root.session.timeZone, root.session.start, root.session.end);
  const env = options.env ?? process.env;
  const secrets: string[] = [];
  const registry = new PluginRegistry();
  for (const m of options.builtins) registry.register(m, 'built-in');
  for (const [i, ref] of root.plugins.entries()) {
    if (ref === false || ref === null || ref === undefined) continue;
    const manifest = typeof ref === 'string' ? await loadPluginModule(ref, options.baseDir, options.importer) : ref;
    registry.register(manifest, `plugins[${i}]`);
  }

  const select = async <K extends PluginKind>(sel: { use: unknown; params: Record<string, unknown> }, path: string, kind: K) => {
    let manifest: AnyPluginManifest;
    if (typeof sel.use === 'string') {
      manifest =
        registry.has(sel.use) || !isModuleReference(sel.use)
          ? registry.get(sel.use, kind, `${path}.use`)
          : registry.register(await loadPluginModule(sel.use, options.baseDir, options.importer), `${path}.use`);
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
      throw new ConfigError(
        'CONFIG.INVALID',
        `${path}.use: adapter '${s.manifest.id}' does not provide '${role}' (it provides ${s.manifest.provides.join(', ')})`,
        `${path}.use`,
        s.manifest.id,
      );
    }
    return s;
  };

  const strategies = [];
  const seen = new Set<string>();
  for (const [i, sel] of root.strategies.entries()) {
    const s = await select(sel, `strategies[${i}]`, 'strategy');
    const instanceId = sel.instanceId ?? (root.strategies.length === 1 ? s.manifest.id : `${s.manifest.id}-${i + 1}`);
    if (seen.has(instanceId))
      throw new ConfigError(
        'CONFIG.INVALID',
        `strategies[${i}].instanceId: '${instanceId}' is used twice`,
        `strategies[${i}].instanceId`,
        s.manifest.id,
      );
    seen.add(instanceId);
    strategies.push({ ...s, instanceId });
  }
  const risk = [];
  for (const [i, sel] of root.risk.entries()) risk.push({ ...(await select(sel, `risk[${i}]`, 'risk-policy')), action: sel.action });

  const learners = [];
  for (const [i, sel] of root.learning.learners.entries()) learners.push(await select(sel, `learning.learners[${i}]`, 'learner'));
  const learner = learners[0] ?? (await select(root.learner, 'learner', 'learner'));
  const learnerIds = new Set<string>();
  for (const l of learners) {
    if (learnerIds.has(l.manifest.id))
      throw new ConfigError('CONFIG.INVALID', `${l.path}.use: learner '${l.manifest.id}' is listed twice`, `${l.path}.use`, l.manifest.id);
    learnerIds.add(l.manifest.id);
  }

  const accountRaw = root.account.id;
  const accountId =
    accountRaw === undefined ? null : ((resolveEnv(accountRaw, 'account.id', env, secrets, undefined) as string | undefined) ?? null);
  if (accountId !== null) secrets.push(accountId);
  const alerts = deepFreeze(resolveEnv(root.alerts, 'alerts', env, secrets, undefined) as AlertsConfig);

  const marketData = await adapter(root.marketData, 'marketData', 'market-data');
  const broker = await adapter(root.broker, 'broker', 'broker');
  const venues: VenueUse[] = [];
  for (const s of [broker, marketData]) {
    const v = s.manifest.venue?.(s.params);
    if (v !== null && v !== undefined) venues.push({ path: s.path, adapter: s.manifest.id, port: v.port });
  }

  // Sessions that can reach an account: paper, live, or any mode whose broker or feed talks to a venue.
  const reachesAccount = root.mode === 'paper' || root.mode === 'live' || venues.length > 0;
  const riskFloor: RiskFloorReport = { applies: reachesAccount, added: [], below: [], override: null };
  if (reachesAccount) {
    if (root.instruments.length === 0) {
      throw new ConfigError(
        'CONFIG.NO_INSTRUMENTS',
        `instruments: mode '${root.mode}'${venues.length > 0 ? ' with a TWS adapter' : ''} trades ` +
          `only the instruments listed in config, and none are: add instruments: [{ symbol: 'AAPL' }, …]`,
        'instruments',
      );
    }
    const assessed = assessRiskFloor(
      risk.map((r) => ({ id: r.manifest.id, path: r.path, action: r.action, params: r.params })),
      root.account.startEquity,
    );
    const liveRules = root.mode !== 'paper';
    if (liveRules && assessed.below.length > 0) {
      const override = root.live.belowRiskFloor;
      const uncovered = assessed.below.filter((b) => override === undefined || !override.policies.includes(b.policy));
      if (uncovered.length > 0) {
        throw new ConfigError(
          'CONFIG.RISK_FLOOR',
          `risk: a live chain below the risk floor (docs/risk-floor.md):\n  ` +
            `${uncovered.map((b) => `${b.path} (${b.policy}): ${b.detail}`).join('\n  ')}\n  tighten these, or accept them with ` +
            `live.belowRiskFloor: { policies: [${uncovered.map((b) => `'${b.policy}'`).join(', ')}], reason: '…' }`,
          uncovered[0]!.path,
          uncovered[0]!.policy,
        );
      }
      riskFloor.override = override?.reason ?? null;
    }
    riskFloor.below.push(...assessed.below);
    for (const [k, add] of assessed.added.entries()) {
      const path = `risk[${root.risk.length + k}] (added by the risk floor)`;
      const manifest = registry.get(add.use, 'risk-policy', path);
      const parsedParams = (manifest.paramsSchema as z.ZodType).safeParse(add.params);
      if (!parsedParams.success) throw zodToConfigError(parsedParams.error, `${path}.params`, manifest.id);
      risk.push({ manifest: manifest as RiskPolicyManifest<unknown>, params: deepFreeze(parsedParams.data), path, action: add.action });
      riskFloor.added.push(add);
    }
  }

  return Object.freeze({
    root: deepFreeze(root),
    marketData,
    broker,
    store: await adapter(root.store, 'store', 'store'),
    learner,
    learners: learners.length > 0 ? learners : [learner],
    risk,
    strategies,
    window,
    venues: Object.freeze(venues),
    riskFloor: deepFreeze(riskFloor),
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
