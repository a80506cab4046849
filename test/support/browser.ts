import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, installed by `scripts/setup.sh --test`; playwright-core downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots for a person to look at: under the gitignored out/. */
export const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/console-screenshots');

/**
 * One headless Chromium. Playwright starts it with a fresh temporary --user-data-dir (and
 * --headless, --no-sandbox) itself; the rest keeps it off the network and quiet.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Everything the page reports as an error: console.error, uncaught exceptions, failed loads. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  return errors;
}

/** Saves a full-page screenshot under SCREENSHOTS, and also to `copyTo` when given. */
export async function screenshot(page: Page, name: string, copyTo?: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  const png = await page.screenshot({ path: file, fullPage: true });
  if (copyTo) await writeFile(copyTo, png);
  return file;
}
