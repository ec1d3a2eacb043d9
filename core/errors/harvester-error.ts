import type { ErrorCode } from './error-codes.js';

export interface HarvesterErrorOptions {
  cause?: unknown;
  /** Explicit context (order id, plugin id, config path…); never read from ambient state. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error base. Thrown only for programming errors, broken invariants and unusable input (bad config,
 * unreadable file). Expected trading outcomes — risk denials, broker rejects — are values and events instead.
 */
export class HarvesterError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: HarvesterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  toJSON(): Record<string, unknown> {
    const cause = this.cause instanceof Error ? { name: this.cause.name, message: this.cause.message } : this.cause;
    return { name: this.name, code: this.code, message: this.message, details: this.details, cause };
  }
}

/** A config problem; `path` is the dotted config path, `pluginId` the plugin whose params failed, if any. */
export class ConfigError extends HarvesterError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly path: string,
    readonly pluginId?: string,
    options: HarvesterErrorOptions = {},
  ) {
    super(code, message, { ...options, details: { ...options.details, path, pluginId } });
  }
}

/** A plugin failed to load, validate or start; the message always names the plugin. */
export class PluginError extends HarvesterError {
  constructor(
    code: ErrorCode,
    readonly pluginId: string,
    message: string,
    options: HarvesterErrorOptions = {},
  ) {
    super(code, `Plugin '${pluginId}': ${message}`, { ...options, details: { ...options.details, pluginId } });
  }
}

export function isHarvesterError(error: unknown): error is HarvesterError {
  return error instanceof HarvesterError;
}
