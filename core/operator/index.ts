/**
 * Operator control in one place: the commands as typed values and their one parser (operator-commands.ts), and
 * the kernel side that applies them on the event loop (operator-controls.ts). The socket that carries them is an
 * adapter (adapters/cli/control-socket.ts).
 */
export {
  parseOperatorCommand,
  OPERATOR_COMMANDS,
  type OperatorCommand,
  type OperatorCommandName,
  type OperatorHandler,
  type OperatorResult,
} from './operator-commands.js';
export { OperatorControls, SymbolPauses, type OperatorDeps } from './operator-controls.js';
