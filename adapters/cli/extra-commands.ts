import type { Command } from 'commander';

/** Commands contributed by other parts of the CLI (data tools, fake TWS, operator controls, decisions). */
export async function registerExtraCommands(program: Command): Promise<void> {
  void program;
}
