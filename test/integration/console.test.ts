import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_DIST, createConsoleRoute } from '../../src/http/console-route.js';
import { createLogger } from '../../src/logger.js';
import { accessibilityFailures, addAxe, collectPageErrors, dropFiles, launchChromium, screenshot } from '../support/browser.js';
import { datasetsAvailable, facesDevPeople } from '../support/datasets.js';
import { generateEvents } from '../support/event-generator.js';
import { createRepositories } from '../../src/db/index.js';
import { createKey, createPerson, createTenant, unique } from '../support/factories.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The admin console in a real Chromium against the real server, database and models. The README's
 * two screenshots are written to docs/ when VISAGE_UPDATE_SCREENSHOTS=1; every run saves all of
 * them under out/console-screenshots.
 */
const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs');
const updateDocs = process.env.VISAGE_UPDATE_SCREENSHOTS === '1';
// Generous: the first identify loads the models, and the machine may be shared.
const WAIT = { timeout: 120_000 };
const DAY_MS = 86_400_000;

let server: TestServer;
let browser: Browser;

/** The newest modification time under a folder (the console's sources). */
function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
}

before(async () => {
  const built = path.join(CONSOLE_DIST, 'index.html');
  assert.ok(existsSync(built), 'the console is not built: run bash scripts/setup.sh (npm run console:build)');
  // A test of an old build would pass or fail for the wrong reasons.
  assert.ok(newest(path.join(CONSOLE_DIST, '../src')) <= statSync(built).mtimeMs, 'console/src changed since the last build: run npm run console:build');
  assert.ok(datasetsAvailable(), 'the shared datasets are missing (../shared/datasets/faces-dev)');
  server = await startTestServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** `keyboard`: submit with Enter, as someone without a mouse would. */
async function signIn(page: Page, secret: string, how: 'mouse' | 'keyboard' = 'mouse'): Promise<void> {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('API key or platform admin token').fill(secret);
  if (how === 'keyboard') await page.keyboard.press('Enter');
  else await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
  // The console then moves from #/ to its first page; a test's own goto before that move would be overridden.
  await page.waitForFunction('location.hash.length > 2', null, WAIT);
}

describe('admin console', () => {
  it('serves the bundle: index without caching, hashed assets cached for good, no traversal, 405 for POST', async () => {
    const index = await fetch(`${server.url}/console`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type')!, /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy')!, /script-src 'self'/);
    const html = await index.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    assert.match(js.headers.get('cache-control')!, /immutable/);
    for (const probe of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/assets/../../../package.json', '/console/vite.config.ts', '/console/src/main.tsx']) {
      const res = await fetch(`${server.url}${probe}`);
      assert.notEqual(res.status, 200, probe);
    }
    assert.equal((await fetch(`${server.url}/console`, { method: 'POST', body: 'x' })).status, 405);
  });

  it('answers 503 saying to run the setup while no bundle is built, and serves it once one is', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'visage-console-'));
    const route = createConsoleRoute({ dir, logger: createLogger('silent') });
    const http = createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/console`;
    try {
      const missing = await fetch(url);
      assert.equal(missing.status, 503);
      assert.match(await missing.text(), /not built.*scripts\/setup\.sh/);
      await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>built</title>');
      const built = await fetch(url);
      assert.equal(built.status, 200);
      assert.match(await built.text(), /built/);
    } finally {
      http.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('platform admin → tenant → person → enroll → identify → history → reports, with no browser errors', async () => {
    const [person] = facesDevPeople(3);
    assert.ok(person, 'faces-dev has a person with 3 photos');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await addAxe(context);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    // Each page is also checked for serious accessibility failures when its screenshot is taken.
    const inaccessible: string[] = [];
    const capture = async (name: string, copyTo?: string) => {
      await screenshot(page, name, copyTo);
      inaccessible.push(...(await accessibilityFailures(page)).map((f) => `${name}: ${f}`));
    };

    // The platform admin creates a tenant; its first ADMIN key is shown once.
    await signIn(page, ADMIN_TOKEN);
    const name = unique('Console');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const secret = await page.getByTestId('secret').inputValue(WAIT);
    assert.match(secret, /^vsk_/);
    await page.getByRole('cell', { name, exact: true }).waitFor(WAIT);
    await capture('01-tenants');

    // Signed in with that key: create a person and enroll two photos.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, secret);
    const displayName = person.name.replace(/_/g, ' ');
    await page.getByLabel('Display name').fill(displayName);
    await page.getByRole('button', { name: 'Create person' }).click();
    await page.getByRole('heading', { name: displayName }).waitFor(WAIT);
    const personUrl = page.url();
    await dropFiles(page, '[data-testid=enroll-drop]', person.files.slice(0, 2));
    const results = page.getByRole('list', { name: 'Enrollment results' });
    await results.waitFor(WAIT);
    assert.equal(await results.getByText('Accepted', { exact: true }).count(), 2, await results.innerText());
    await page.getByRole('heading', { name: 'Faces (2)' }).waitFor(WAIT);
    await capture('02-person-enrolled');

    // Identify a third photo: the box carries the name.
    await page.getByRole('link', { name: 'Identify' }).click();
    await page.locator('input[name=identify]').setInputFiles(person.files[2]!);
    await page.locator('svg.overlay text', { hasText: displayName }).waitFor(WAIT);
    assert.match(await page.getByTestId('identify-faces').innerText(), new RegExp(`${displayName}\\s+MATCH`));
    await capture('03-identify', updateDocs ? path.join(DOCS, 'console-identify.png') : undefined);

    // The history shows the event.
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByTestId('history').getByRole('row').filter({ hasText: displayName }).filter({ hasText: 'MATCH' }).first().waitFor(WAIT);
    await capture('04-history');
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'recognition-events.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    assert.match(csv.split('\n')[1] ?? '', /MATCH/, csv);

    // A week of door-camera history (synthetic, like the report tests'), so the charts have days,
    // decisions and sources to show.
    const personId = decodeURIComponent(/#\/people\/([^/]+)$/.exec(personUrl)![1]!);
    const tenantId = (await server.gql('{ viewer { tenant { id } } }', {}, secret)).data!.viewer.tenant.id as string;
    const start = new Date(Date.now() - 6 * DAY_MS);
    const history = [...generateEvents({ seed: 14, from: start, stepMs: (5 * DAY_MS) / 400, count: 400, people: [personId], sources: ['door-1', 'lobby'] })];
    await createRepositories(server.app.db).events.insertMany(tenantId, history);

    // The reports page draws its charts.
    await page.getByRole('link', { name: 'Reports' }).click();
    for (const chart of ['chart-per-day', 'chart-unknown', 'chart-distance']) {
      await page.locator(`[data-testid=${chart}][data-rendered=true] svg`).waitFor(WAIT);
    }
    await page.getByTestId('presence').getByRole('row').filter({ hasText: displayName }).waitFor(WAIT);
    await capture('05-reports', updateDocs ? path.join(DOCS, 'console-reports.png') : undefined);

    // Readable on a phone too.
    await page.setViewportSize({ width: 390, height: 844 });
    await capture('06-reports-390');
    await page.getByRole('link', { name: 'Identify' }).click();
    await capture('07-identify-390');

    assert.deepEqual(errors, []);
    assert.deepEqual(inaccessible, []);
    await context.close();
  });

  it('enrolls a video chosen with the file picker on a person page', async () => {
    const [, other] = facesDevPeople(3);
    assert.ok(other);
    const tenant = await createTenant(server);
    const someone = await createPerson(server, tenant.secret, { displayName: other.name.replace(/_/g, ' ') });
    // Two seconds of one still photo, H.264 in MP4: what a phone upload usually is.
    const dir = await mkdtemp(path.join(tmpdir(), 'visage-console-video-'));
    const video = path.join(dir, 'still.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', other.files[0]!, '-t', '2', '-r', '5', '-vf', 'scale=640:-2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await signIn(page, tenant.secret);
      await page.goto(`${server.url}/console#/people/${someone.id}`);
      await page.locator('input[name=enroll]').setInputFiles(video);
      const result = page.getByRole('list', { name: 'Enrollment results' });
      await result.waitFor(WAIT);
      assert.match(await result.innerText(), /Video COMPLETED: [1-9]\d* faces? accepted/);
      await page.getByRole('cell', { name: 'VIDEO' }).waitFor(WAIT);
      await screenshot(page, '10-video-enrolled');
    } finally {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a VIEWER sees no create or delete buttons, and a forged call gets FORBIDDEN shown in words', async () => {
    const tenant = await createTenant(server);
    const viewer = await createKey(server, tenant, 'VIEWER');
    const someone = await createPerson(server, tenant.secret, { displayName: unique('Grace') });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();

    await signIn(page, viewer.secret, 'keyboard');
    await page.getByRole('link', { name: someone.displayName }).waitFor(WAIT);
    const nav = await page.getByRole('navigation', { name: 'Pages' }).first().innerText();
    for (const hidden of ['Identify', 'API keys', 'Settings']) assert.doesNotMatch(nav, new RegExp(hidden));
    assert.equal(await page.getByRole('button', { name: /create|delete/i }).count(), 0);
    await page.getByRole('link', { name: someone.displayName }).click();
    await page.getByRole('heading', { name: someone.displayName }).waitFor(WAIT);
    assert.equal(await page.getByRole('button', { name: /create|delete/i }).count(), 0);
    await screenshot(page, '08-viewer-person');

    // Forge the role the page keeps in sessionStorage: the UI now offers creating a person, and
    // the server's FORBIDDEN is what the person reads.
    await page.evaluate(() => {
      // Runs in the page; the test's own typings have no DOM.
      const storage = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).sessionStorage;
      const key = 'visage.console.session';
      storage.setItem(key, JSON.stringify({ ...JSON.parse(storage.getItem(key)!), role: 'ADMIN' }));
    });
    await page.goto(`${server.url}/console#/people`);
    await page.reload();
    await page.getByLabel('Display name').fill('Mallory');
    await page.getByRole('button', { name: 'Create person' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'FORBIDDEN' });
    await alert.waitFor(WAIT);
    assert.match(await alert.innerText(), /FORBIDDEN: .+/);
    await screenshot(page, '09-viewer-forbidden');
    const people = await server.gql('{ people(search: "Mallory") { totalCount } }', {}, tenant.secret);
    assert.equal(people.data?.people.totalCount, 0);
    await context.close();
  });
});
