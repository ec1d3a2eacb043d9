import { parseOperatorCommand, type OperatorCommand, type OperatorResult } from './operator-commands.js';

/**
 * The operator control wire format, both ends in one place: newline-delimited JSON. A request is one
 * `OperatorCommand` object plus the session's `token`; a reply is one `OperatorResult` line per request, in order.
 * The command is parsed (validated) once, by the receiving session: the sender (`harvester control`, the crash
 * drill) sends what it was given, and a command the session cannot parse comes back marked `invalid`.
 * The transport (a loopback TCP socket, its limits and token file) is adapters/cli/control-socket.ts.
 */
export function encodeControlRequest(command: Readonly<Record<string, unknown>>, token: string): string {
  return `${JSON.stringify({ ...command, token })}\n`;
}

/** Decode one untrusted request line; `tokenMatches` is the transport's constant-time token check. */
export function decodeControlRequest(
  line: string,
  tokenMatches: (given: unknown) => boolean,
): { ok: true; command: OperatorCommand } | { ok: false; error: string; invalid?: true } {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (typeof msg !== 'object' || msg === null) return { ok: false, error: 'expected a JSON object' };
  const { token: given, ...rest } = msg as Record<string, unknown>;
  if (!tokenMatches(given)) return { ok: false, error: 'bad or missing token' };
  const parsed = parseOperatorCommand(rest);
  return parsed.ok ? { ok: true, command: parsed.command } : { ok: false, error: parsed.error, invalid: true };
}

export function encodeControlResult(result: OperatorResult): string {
  return `${JSON.stringify(result)}\n`;
}

export function decodeControlResult(line: string): OperatorResult {
  try {
    return JSON.parse(line) as OperatorResult;
  } catch {
    return controlFailure('malformed reply');
  }
}

/** A refusal or transport failure, in the reply's shape; `invalid`: the command itself did not parse. */
export function controlFailure(error: string, invalid = false): OperatorResult {
  return invalid ? { ok: false, state: 'unknown', reasons: [error], invalid: true } : { ok: false, state: 'unknown', reasons: [error] };
}
