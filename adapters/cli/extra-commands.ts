import type { Command } from 'commander';
import { registerJournalCommands } from './commands/decisions.command.js';
import { registerInitCommand } from './commands/init.command.js';
import { registerDataCommands } from './commands/data.command.js';
import { registerControlCommands } from './commands/control.command.js';
import { registerFakeTwsCommand } from './commands/fake-tws.command.js';
import { registerArchiveCommand, registerExportCommand, registerReportCommand } from './commands/report.command.js';
import { registerWatchCommand } from './commands/watch.command.js';
import { registerSamplesCommands } from './commands/samples.command.js';
import { registerMemoryCommands } from './commands/memory.command.js';

/** Commands contributed by other parts of the CLI (data tools, fake TWS, operator controls, journal). */
export async function registerExtraCommands(program: Command): Promise<void> {
  registerJournalCommands(program);
  registerInitCommand(program);
  registerDataCommands(program);
  registerControlCommands(program);
  registerFakeTwsCommand(program);
  registerReportCommand(program);
  registerExportCommand(program);
  registerArchiveCommand(program);
  registerWatchCommand(program);
  registerSamplesCommands(program);
  registerMemoryCommands(program);
}
