// What the browser tests share: the real binary started on its embedded default (SQLite, mail
// to an outbox folder, the demo data) on a free port, headless Chromium, axe-core injected past
// the page's Content-Security-Policy, and signing in as a person does (by the emailed link).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
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
// Where cargo builds (CARGO_TARGET_DIR when set, as `cargo build` itself follows it).
const targetDir = resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
export const binary = process.env.PLATFORM_BIN ?? join(targetDir, 'debug/platform');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const shots = join(targetDir, 'browser');

/// Starts the platform and Chromium; `stop()` ends both and removes the data.
export async function startPlatform() {
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-browser-'));
  mkdirSync(shots, { recursive: true });
  const server = spawn(binary, ['serve'], {
    cwd: dataDir,
    // The reminders' tick is tested elsewhere; here it would add mail to the outbox sign-in reads.
    env: { PATH: process.env.PATH, PLATFORM_BIND: '127.0.0.1:0', PLATFORM_DATA_DIR: join(dataDir, 'data'), PLATFORM_LOG: 'warn',
      PLATFORM_REMINDER_INTERVAL_SECONDS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: server.stdout });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start in 60s')), 60_000);
    server.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      ok(line.replace('platform listening on ', '').trim());
    });
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const stop = async () => {
    await browser.close();
    server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, dataDir, browser, stop };
}

/// A new browser context and page; only axe is injected past the page's CSP.
export async function newPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ bypassCSP: true, viewport });
  const page = await context.newPage();
  return { context, page };
}

export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/// Signs in the way a person does: asks for a link, opens it from the mail (the outbox folder
/// in the embedded mode) and presses the button.
export async function signIn(platform, page, slug, email) {
  const { base, dataDir } = platform;
  await page.goto(`${base}/t/${slug}/login`);
  await page.fill('#email', email);
  await page.click('text=Send me a link');
  await page.waitForSelector('h1:has-text("Check your email")');
  const outbox = join(dataDir, 'data', 'outbox');
  const files = readdirSync(outbox).map((f) => join(outbox, f)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  const mail = files.map((f) => readFileSync(f, 'utf8').replaceAll('=\r\n', '').replaceAll('=\n', '').replaceAll('=3D', '='))
    .reverse().find((m) => m.includes(`To: ${email}`));
  const link = mail.match(/https?:\/\/\S+\/login\/link\/[A-Za-z0-9_-]+/)[0];
  await page.goto(link);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/t/${slug}/`);
}

/// How far a page scrolls sideways (0 when it fits the screen).
export async function sidewaysOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
