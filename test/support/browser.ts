import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

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

/** axe-core, injected into every page of a context before the page's own scripts (CDP is not bound by the page's CSP). */
export async function addAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
}

/** The page's serious and critical accessibility failures (labels, contrast, names, landmarks), as "rule: target" lines. */
export async function accessibilityFailures(page: Page): Promise<string[]> {
  interface AxeResult {
    violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
  }
  const result = await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run());
  return (result as AxeResult).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/**
 * Drops files on an element as a person dragging them from their desktop would: a `drop` event
 * whose DataTransfer holds the files. (setInputFiles would take the file picker's path instead.)
 */
export async function dropFiles(page: Page, selector: string, files: string[]): Promise<void> {
  const payload = files.map((f) => ({ name: path.basename(f), type: f.endsWith('.png') ? 'image/png' : 'image/jpeg', data: readFileSync(f).toString('base64') }));
  // A string, evaluated in the page: the test's own typings have no DOM.
  const dataTransfer = await page.evaluateHandle(
    `(() => { const dt = new DataTransfer(); for (const f of ${JSON.stringify(payload)}) dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: f.type })); return dt; })()`,
  );
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}
