// The platform's pages in real headless Chromium: no axe-core violations against WCAG 2.2 AA,
// and the keyboard path a screen-reader or keyboard user takes first (skip link, then main).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPlatform, newPage, axeViolations, signIn as signInAs, shots } from './platform.mjs';

let platform, base, browser;

before(async () => {
  platform = await startPlatform();
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

async function open(path, viewport = { width: 1280, height: 900 }) {
  const { context, page } = await newPage(browser, viewport);
  const response = await page.goto(base + path);
  return { context, page, response };
}

const signIn = (page, slug, email) => signInAs(platform, page, slug, email);

for (const [name, path, status, who] of [
  ['home page', '/', 200],
  ['page not found', '/no-such-page', 404],
  ['sign-up page', '/signup', 200],
  ['Kent sign-in page', '/t/kent/login', 200],
  ['unsubscribe page', '/unsubscribe/a-link-from-a-reminder', 200],
  ['Sunderland home', '/t/sunderland/', 200, ['sunderland', 'commissioner@sunderland.example']],
  ['Sunderland framework', '/t/sunderland/framework', 200, ['sunderland', 'board@sunderland.example']],
  ['Kent framework', '/t/kent/framework', 200, ['kent', 'viewer@kent.example']],
  ['Sunderland members', '/t/sunderland/admin/users', 200, ['sunderland', 'admin@sunderland.example']],
  ['Sunderland sign-in settings', '/t/sunderland/admin/oidc', 200, ['sunderland', 'admin@sunderland.example']],
  ['Sunderland API tokens', '/t/sunderland/tokens', 200, ['sunderland', 'viewer@sunderland.example']],
  ['Sunderland audit log', '/t/sunderland/admin/audit', 200, ['sunderland', 'admin@sunderland.example']],
]) {
  test(`${name} has no accessibility violations`, async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (who) await signIn(page, ...who);
    const response = await page.goto(base + path);
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

test('the sign-up form names the field at fault and keeps what was typed', async () => {
  const { context, page } = await open('/signup');
  await page.fill('#council_name', 'Rutland County Council');
  await page.fill('#ons_code', 'E123');
  await page.selectOption('#region', 'East Midlands');
  await page.fill('#admin_name', 'Ann Admin');
  await page.fill('#admin_email', 'ann@rutland.gov.uk');
  await page.click('button:has-text("Sign up")');
  await page.waitForSelector('.error-summary');
  const link = page.locator('.error-summary a');
  assert.equal(await link.getAttribute('href'), '#ons_code');
  assert.equal(await page.inputValue('#council_name'), 'Rutland County Council');
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

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

test('a framework page, with its rules table and fields, holds on a phone-sized screen', async () => {
  const { context, page } = await open('/', { width: 360, height: 740 });
  await signIn(page, 'durham', 'viewer@durham.example');
  await page.goto(`${base}/t/durham/framework`);
  assert.ok(await page.locator('#rules + p + table th[scope=row]').count() > 0, 'the rules table has rows');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(shots, 'framework-phone.png'), fullPage: true });
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
