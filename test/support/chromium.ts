import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run); never a browser build downloaded by a test tool. */
export const CHROMIUM = process.env.HARVESTER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches the system Chromium headless, as root-safe and offline as this machine needs (no sandbox as root; no
 * background networking, which a closed network refuses many times a second). A missing browser fails the test
 * loudly with the install command: page tests are never skipped.
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does), or set HARVESTER_CHROMIUM`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Share of a canvas's pixels that are neither transparent nor white: a drawn chart has many, a blank one none. */
export const INKED_SHARE = `(c) => { const g = c.getContext('2d'); if (!g || c.width === 0 || c.height === 0) return 0;
  const d = g.getImageData(0, 0, c.width, c.height).data; let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) ink++;
  return ink / (c.width * c.height); }`;
