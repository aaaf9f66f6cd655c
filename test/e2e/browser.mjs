// Headless Debian chromium driven by playwright-core (no browser download: the machines are offline).
import { existsSync, mkdirSync } from 'node:fs';
import { join, delimiter } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumFlags = [
  '--no-sandbox', // root in CI containers
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, name));
  }
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('no chromium found: apt-get install chromium (or set CHROMIUM_PATH)');
  return found;
}

/**
 * A fresh browser profile under runDir. headless: true makes playwright pass --headless.
 * @returns {Promise<import('playwright-core').BrowserContext>}
 */
export async function launchBrowser(runDir, { viewport = { width: 1400, height: 900 } } = {}) {
  const profile = join(runDir, 'chromium-profile');
  const xdgConfig = join(runDir, 'chromium-xdg-config'); // Debian chromium writes "Crash Reports" there, not in the profile
  mkdirSync(profile, { recursive: true });
  mkdirSync(xdgConfig, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: chromiumFlags,
    env: { ...process.env, XDG_CONFIG_HOME: xdgConfig },
    viewport,
    timeout: 60_000,
  });
}
