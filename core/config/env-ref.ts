/** A reference to an environment variable. Secrets enter config only this way and are redacted in every log. */
export interface EnvRef {
  readonly $env: string;
  readonly optional?: boolean;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** `env('TWS_ACCOUNT')` in harvester.config.ts: resolved from the environment at startup, never logged. */
export function env(name: string, options: { optional?: boolean } = {}): EnvRef {
  if (!ENV_NAME.test(name)) throw new TypeError(`env(): '${name}' is not an environment variable name`);
  return Object.freeze({ $env: name, ...(options.optional ? { optional: true } : {}) });
}

export function isEnvRef(value: unknown): value is EnvRef {
  return typeof value === 'object' && value !== null && typeof (value as EnvRef).$env === 'string';
}
