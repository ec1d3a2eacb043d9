// First: the environment and --arm-live are captured before any config code can change them.
import './launch-env.js';
import { Command, CommanderError } from 'commander';
import { isHarvesterError } from '../../core/errors/harvester-error.js';
import { registerConfigCommands } from './commands/config-check.command.js';
import { registerRunCommand } from './commands/run.command.js';
import { registerExtraCommands } from './extra-commands.js';
import { loadedSecrets } from './load.js';
import { scrub } from '../../core/config/redact.js';

// `harvester decisions --json | head` closes the pipe early: that is the reader being done, not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const program = new Command();
program
  .name('harvester')
  .description('Harvester: automated intraday trading through Interactive Brokers — replay, simulate, paper, live.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerRunCommand(program);
registerConfigCommands(program);
await registerExtraCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (isHarvesterError(error)) {
    process.stderr.write(scrub(`harvester: ${error.code}: ${error.message}\n`, loadedSecrets));
    process.exitCode = 2;
  } else {
    process.stderr.write(scrub(`harvester: unexpected failure: ${(error as Error).stack ?? String(error)}\n`, loadedSecrets));
    process.exitCode = 1;
  }
}
