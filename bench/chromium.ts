import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium, installed by .ci/run (Playwright's own browser download cannot run here). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Starts headless Chromium. A missing browser fails the suite with what to do, never skips it.
 * The flags keep it from reaching for the network, which this machine closes.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
