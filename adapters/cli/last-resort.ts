import { scrub } from '../../core/config/redact.js';
import type { JournalWriter } from '../../core/engine/journal-writer.js';

/** Exit status of a run ended by the last-resort handler (EX_SOFTWARE): never 0, and not a refusal (3) either. */
export const LAST_RESORT_EXIT = 70;

export interface LastResortDeps {
  /** The session's journal writer: the crash becomes a row before anything is closed. */
  journal: Pick<JournalWriter, 'write'>;
  /** Releases the adapters (flushes the journal, closes the TWS socket); never cancels or flattens anything. */
  close: () => Promise<void>;
  /** Values redacted from the alert line (the config's secrets). */
  secrets?: readonly string[];
  /** Where the error line goes; default stderr. */
  write?: (line: string) => void;
  exit?: (code: number) => void;
  /** The longest wait for `close` before exiting anyway. */
  graceMs?: number;
}

/**
 * The last resort for an error nothing else caught (an `uncaughtException` or `unhandledRejection` in `run`):
 * journal it, raise it at error level on stderr, release the adapters and exit with {@link LAST_RESORT_EXIT}.
 * Positions stay protected because nothing is cancelled: the brackets' stops and targets keep working at the venue
 * (TWS keeps an API client's orders when its socket closes), and the next session adopts them through the id
 * journal. Running once is enough; a second error while closing only waits for the exit.
 */
export function lastResortHandler(
  d: LastResortDeps,
): (origin: 'uncaughtException' | 'unhandledRejection', error: unknown) => Promise<void> {
  let fired = false;
  return async (origin, error) => {
    if (fired) return;
    fired = true;
    const e = error instanceof Error ? error : new Error(String(error));
    const text = scrub(`${origin}: ${e.message}`, d.secrets ?? []);
    const line = JSON.stringify({
      level: 50,
      plugin: 'last-resort',
      msg: `harvester: fatal ${text}; working orders are left at the venue (open positions keep their stops); exiting ${LAST_RESORT_EXIT}`,
    });
    (d.write ?? ((l: string) => process.stderr.write(l)))(`${line}\n`);
    try {
      d.journal.write('event', 'process.crashed', {
        origin,
        error: text,
        stack: scrub(e.stack ?? '', d.secrets ?? [])
          .split('\n')
          .slice(0, 12)
          .join('\n'),
      });
    } catch {
      // the journal itself may be what failed: the stderr line above is the record then
    }
    const exit = d.exit ?? ((code: number) => process.exit(code));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, d.graceMs ?? 5_000);
      timer.unref();
      d.close()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          resolve();
        });
    });
    exit(LAST_RESORT_EXIT);
  };
}

/** Installs the handler on the process for one run; returns the uninstaller (the run's `finally`). */
export function installLastResort(d: LastResortDeps): () => void {
  const handle = lastResortHandler(d);
  const onException = (e: unknown): void => {
    void handle('uncaughtException', e);
  };
  const onRejection = (e: unknown): void => {
    void handle('unhandledRejection', e);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
