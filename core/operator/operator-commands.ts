import { z } from 'zod';
import type { RiskReason } from '../../ports/risk-policy.js';

/**
 * Operator commands as typed values (docs/trading-safety.md#operator-commands). Structurally the same as the kernel's
 * `core/operator/operator-controls.ts`, so a parsed command can be handed to `OperatorControls.apply` unchanged.
 */
export type OperatorCommand =
  | { command: 'pause'; operatorId: string; note?: string }
  | { command: 'resume'; operatorId: string; note?: string }
  | { command: 'pause-symbol'; operatorId: string; symbol: string; note?: string }
  | { command: 'resume-symbol'; operatorId: string; symbol: string; note?: string }
  | { command: 'flatten'; operatorId: string; note?: string }
  | { command: 'halt'; operatorId: string; note?: string }
  | { command: 'clear'; operatorId: string; note: string }
  | { command: 'status'; operatorId: string };

export type OperatorCommandName = OperatorCommand['command'];

export type OperatorResult =
  | { ok: true; state: string; detail?: Record<string, unknown> }
  | { ok: false; state: string; reasons: readonly RiskReason[] | string[]; invalid?: true };

/** Whoever carries out operator commands (the kernel, through its event loop); it answers, never throws. */
export interface OperatorHandler {
  handle(cmd: OperatorCommand): Promise<OperatorResult>;
}

export const OPERATOR_COMMANDS: readonly OperatorCommandName[] = [
  'pause',
  'resume',
  'pause-symbol',
  'resume-symbol',
  'flatten',
  'halt',
  'clear',
  'status',
];

/** Long names accepted on the wire and in the CLI. */
const ALIASES: Readonly<Record<string, OperatorCommandName>> = { 'flatten-all': 'flatten', 'clear-halt': 'clear' };

const operatorId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'operatorId: 1–64 letters, digits, . _ @ -');
const note = z.string().max(500);
const symbol = z.string().regex(/^[A-Z0-9][A-Z0-9.\-/ ]{0,15}$/, 'symbol: 1–16 upper-case characters');

const schema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('pause'), operatorId, note: note.optional() }).strict(),
  z.object({ command: z.literal('resume'), operatorId, note: note.optional() }).strict(),
  z.object({ command: z.literal('pause-symbol'), operatorId, symbol, note: note.optional() }).strict(),
  z.object({ command: z.literal('resume-symbol'), operatorId, symbol, note: note.optional() }).strict(),
  z.object({ command: z.literal('flatten'), operatorId, note: note.optional() }).strict(),
  z.object({ command: z.literal('halt'), operatorId, note: note.optional() }).strict(),
  // Leaving HALT is the one step that must say why: the note goes into the journal next to the operator id.
  z.object({ command: z.literal('clear'), operatorId, note: note.min(1, 'clear needs a note saying why') }).strict(),
  z.object({ command: z.literal('status'), operatorId }).strict(),
]);

/**
 * Validate untrusted input (a socket line, CLI flags) into a command. Unknown fields are refused rather than
 * ignored, so a typo such as `symbl` cannot silently pause everything instead of one symbol.
 */
export function parseOperatorCommand(input: unknown): { ok: true; command: OperatorCommand } | { ok: false; error: string } {
  let value = input;
  if (typeof input === 'object' && input !== null && typeof (input as { command?: unknown }).command === 'string') {
    const name = (input as { command: string }).command;
    const alias = ALIASES[name];
    if (alias !== undefined) value = { ...(input as object), command: alias };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ');
    return { ok: false, error: msg };
  }
  return { ok: true, command: parsed.data as OperatorCommand };
}
