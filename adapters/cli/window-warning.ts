import { DateTime } from 'luxon';
import type { ResolvedConfig } from '../../core/config/resolve-config.js';

/**
 * A wall-clock session (sim-live with the fake TWS, paper, live) whose window has already passed trades nothing and
 * ends at once; one that starts later sits idle. Say so before anything connects, in the session's own zone.
 * Replays run on their recording's clock, so the window is the recording's and nothing is said.
 */
export function warnAboutWindow(resolved: ResolvedConfig, print: (line: string) => void, now: DateTime = DateTime.now()): void {
  const { mode, session } = resolved.root;
  if (mode === 'replay') return;
  const zone = session.timeZone;
  const start = DateTime.fromISO(`${session.date}T${session.start}`, { zone });
  const end = DateTime.fromISO(`${session.date}T${session.end}`, { zone });
  if (!start.isValid || !end.isValid) return;
  const local = now.setZone(zone);
  const window = `${session.date} ${session.start}–${session.end} ${zone}`;
  if (local >= end) {
    print(
      `harvester: warning: the session window ${window} has already passed ` +
        `(it is ${local.toFormat('yyyy-MM-dd HH:mm')} there): nothing will ` +
        `trade. Set session.date (and start/end) to the day you mean to trade.`,
    );
  } else if (local < start) {
    const minutes = Math.round(start.diff(local, 'minutes').minutes);
    print(`harvester: the session window ${window} opens in ${minutes} minute(s); entries wait until then.`);
  }
}
