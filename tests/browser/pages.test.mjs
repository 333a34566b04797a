// The platform's pages in real headless Chromium: no axe-core violations against WCAG 2.2 AA,
// and the keyboard path a screen-reader or keyboard user takes first (skip link, then main).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const binary = process.env.PLATFORM_BIN ?? join(root, 'target/debug/platform');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = join(root, 'target/browser');

let server, base, browser, dataDir;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'platform-browser-'));
  mkdirSync(shots, { recursive: true });
  server = spawn(binary, ['serve'], {
    cwd: dataDir,
    env: { PATH: process.env.PATH, PLATFORM_BIND: '127.0.0.1:0', PLATFORM_DATA_DIR: join(dataDir, 'data'), PLATFORM_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: server.stdout });
  base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start in 60s')), 60_000);
    server.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      ok(line.replace('platform listening on ', '').trim());
    });
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(path, viewport = { width: 1280, height: 900 }) {
  // Only axe is injected past the page's own Content-Security-Policy.
  const context = await browser.newContext({ bypassCSP: true, viewport });
  const page = await context.newPage();
  const response = await page.goto(base + path);
  return { context, page, response };
}

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const [name, path, status] of [
  ['home page', '/', 200],
  ['page not found', '/no-such-page', 404],
  ['Sunderland framework', '/t/sunderland/framework', 200],
  ['Kent framework', '/t/kent/framework', 200],
]) {
  test(`${name} has no accessibility violations`, async () => {
    const { context, page, response } = await open(path);
    assert.equal(response.status(), status);
    assert.deepEqual(await axeViolations(page), []);
    // Landmarks a screen reader lists, and one h1.
    assert.equal(await page.locator('header[role=banner], header').count(), 1);
    assert.equal(await page.locator('main').count(), 1);
    assert.equal(await page.locator('footer').count(), 1);
    assert.equal(await page.locator('h1').count(), 1);
    await page.screenshot({ path: join(shots, `${name.replaceAll(' ', '-')}.png`), fullPage: true });
    await context.close();
  });
}

test('the home page lists the five trusts', async () => {
  const { context, page } = await open('/');
  const rows = await page.locator('table tbody tr th').allTextContents();
  assert.deepEqual(rows.map((r) => r.trim()).sort(), [
    'Central Bedfordshire Children\'s Trust', 'County Durham Children\'s Trust', 'Kent Children\'s Trust',
    'Sunderland Children\'s Trust', 'Young Southwark Children\'s Trust',
  ]);
  await context.close();
});

test('the first Tab reaches a visible skip link that moves focus to the main content', async () => {
  const { context, page } = await open('/');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({
    text: document.activeElement.textContent.trim(),
    box: document.activeElement.getBoundingClientRect().toJSON(),
  }));
  assert.equal(focused.text, 'Skip to main content');
  assert.ok(focused.box.left >= 0 && focused.box.width > 0, 'the skip link is on screen when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main-content');
  await context.close();
});

test('the layout holds on a phone-sized screen', async () => {
  const { context, page } = await open('/', { width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(shots, 'home-phone.png'), fullPage: true });
  await context.close();
});
