/**
 * The environment and the arming flag as they were when the process started, captured before any config or
 * plugin code runs. A config file is code: it could write `process.env.HARVESTER_ARM_LIVE = '1'` (or an account
 * id) before the CLI reads it, so every safety decision reads this snapshot, never the live `process.env`.
 * `main.ts` imports this module first.
 */
export const launchEnv: Readonly<NodeJS.ProcessEnv> = Object.freeze({ ...process.env });

/** `--arm-live` on the command line at start (commander parses it again; both must agree). */
export const launchArmFlag: boolean = process.argv.slice(2).includes('--arm-live');
